"""Account page, connect (Google OAuth), callback and disconnect."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_login import current_user, login_required

from studio import db
from studio.auth.decorators import admin_required
from studio.extensions import limiter
from studio.platforms.oauth import FlowError
from studio.platforms.pages import Pages, confirmed
from studio.platforms.youtube import bp, connection, quota, services
from studio.platforms.youtube.connection import READONLY_SCOPE, REVOKE_PAGE, UPLOAD_SCOPE

SCOPE_LABELS = {
    UPLOAD_SCOPE: "Upload videos to the channel",
    READONLY_SCOPE: "See the channel (name, handle, picture) and its videos",
}
PAGES = Pages(
    bp="youtube",
    label="YouTube",
    issuer="Google",
    back_label="Back to the YouTube page",
    connect_failed=services.CONNECT_FAILED,
    limit_key="YOUTUBE_CALLBACK_RATE_LIMIT",
    find=connection.get_account,
    end=services.disconnect,
    revoke_hint=f"the channel's owner can also remove the app at {REVOKE_PAGE}.",
)


@bp.get("/")
@login_required
def index():
    return PAGES.index(
        connection.all_accounts(db.session),
        wanted=connection.SCOPES,
        labels=SCOPE_LABELS,
        revoke_page=REVOKE_PAGE,
        quota=quota.usage(db.session),
    )


@bp.post("/connect")
@admin_required
def connect():
    confirmed()
    return redirect(services.start_connect(db.session), 303)


@bp.get("/callback")
@admin_required
@limiter.limit(PAGES.callback_limit)
def callback():
    try:
        account = services.complete_connect(db.session, request.args, current_user)
    except services.ConsentAgain as again:
        return redirect(again.url, 303)
    except FlowError as exc:
        return PAGES.flow_failed(exc)
    name = account.display_name or account.remote_id
    flash(f"Connected the YouTube channel {name}.", "success")
    return redirect(url_for("youtube.index"), 303)


@bp.post("/<int:account_id>/disconnect")
@admin_required
def disconnect(account_id: int):
    return PAGES.disconnect(account_id)
