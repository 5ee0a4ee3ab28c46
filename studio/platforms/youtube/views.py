"""Account page, connect (Google OAuth), callback and disconnect."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from studio import db
from studio.audit import Actor, record
from studio.auth.decorators import admin_required
from studio.auth.forms import ConfirmForm
from studio.extensions import limiter
from studio.platforms.models import AccountStatus
from studio.platforms.oauth import FlowError
from studio.platforms.youtube import bp, connection, services
from studio.platforms.youtube.connection import READONLY_SCOPE, REVOKE_PAGE, UPLOAD_SCOPE

SCOPE_LABELS = {
    UPLOAD_SCOPE: "Upload videos to the channel",
    READONLY_SCOPE: "See the channel (name, handle, picture) and its videos",
}


def _callback_limit() -> str:
    return current_app.config["YOUTUBE_CALLBACK_RATE_LIMIT"]


@bp.get("/")
@login_required
def index():
    accounts = connection.all_accounts(db.session)
    return render_template(
        "youtube/index.html",
        accounts=[a for a in accounts if a.status != AccountStatus.DISCONNECTED],
        past=[a for a in accounts if a.status == AccountStatus.DISCONNECTED],
        wanted=connection.SCOPES,
        labels=SCOPE_LABELS,
        revoke_page=REVOKE_PAGE,
        form=ConfirmForm(),
    )


@bp.post("/connect")
@admin_required
def connect():
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return redirect(services.start_connect(db.session), 303)


@bp.get("/callback")
@admin_required
@limiter.limit(_callback_limit)
def callback():
    try:
        account = services.complete_connect(db.session, request.args, current_user)
    except services.ConsentAgain as again:
        return redirect(again.url, 303)
    except FlowError as exc:
        _record_failure(exc.kind, exc.error or exc.title)
        if exc.error == "access_denied":
            flash("You cancelled: nothing was connected.", "info")
            return redirect(url_for("youtube.index"), 303)
        return render_template("youtube/flow_error.html", error=exc), exc.status
    name = account.display_name or account.remote_id
    flash(f"Connected the YouTube channel {name}.", "success")
    return redirect(url_for("youtube.index"), 303)


@bp.post("/<int:account_id>/disconnect")
@admin_required
def disconnect(account_id: int):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    account = connection.get_account(db.session, account_id)
    if account is None or account.status == AccountStatus.DISCONNECTED:
        abort(404)
    revoked = services.disconnect(
        db.session,
        account,
        Actor.user(current_user),
        f"disconnected by staff member #{current_user.id}",
    )
    name = account.display_name or account.remote_id
    if revoked:
        flash(f"Disconnected {name}: access revoked at Google and tokens erased.", "success")
    else:
        flash(
            f"Disconnected {name} and erased its tokens. Google did not confirm the revocation; "
            f"the channel's owner can also remove the app at {REVOKE_PAGE}.",
            "warning",
        )
    return redirect(url_for("youtube.index"), 303)


def _record_failure(kind: str, detail: str) -> None:
    record(
        services.CONNECT_FAILED,
        actor=Actor.user(current_user),
        summary=f"connecting YouTube failed ({kind}): {detail}"[:500],
        status="error",
    )
