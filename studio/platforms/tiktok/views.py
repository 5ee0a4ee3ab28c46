"""Account page, connect (Login Kit), callback and disconnect."""

from __future__ import annotations

from flask import current_app, flash, redirect, request, url_for
from flask_login import current_user, login_required

from studio import config, db
from studio.audit import Action, Actor, scope
from studio.auth.decorators import admin_required
from studio.extensions import limiter
from studio.platforms.pages import Pages, confirmed
from studio.platforms.tiktok import bp, services
from studio.platforms.tiktok import metrics as tiktok_metrics
from studio.platforms.tiktok.errors import PlatformError

SCOPE_LABELS = {
    "user.info.basic": "Read your profile name and avatar",
    "video.upload": "Send videos to your TikTok inbox as drafts",
    "video.publish": "Post videos directly to your profile",
    "user.info.profile": "Read profile details",
    "user.info.stats": "Read profile statistics",
    "video.list": "List your public videos",
}
PAGES = Pages(
    bp="tiktok",
    label="TikTok",
    issuer="TikTok",
    back_label="Back to the TikTok account page",
    connect_failed=Action.TIKTOK_CONNECT_FAILED,
    limit_key="TIKTOK_CALLBACK_RATE_LIMIT",
    find=services.get_account,
    end=services.disconnect,
    revoke_hint="the account owner can also remove the app under Manage app permissions in TikTok.",
    done_code=302,
)


@bp.get("/")
@login_required
def index():
    return PAGES.index(
        services.all_accounts(db.session),
        wanted=config.scopes(current_app),
        labels=SCOPE_LABELS,
        direct_post=bool(current_app.config["TIKTOK_DIRECT_POST"]),
        metrics_why=tiktok_metrics.WHY if current_app.config["METRICS_ENABLED"] else "",
    )


@bp.post("/connect")
@admin_required
def connect():
    confirmed()
    url = services.start_flow(
        "connect", config.scopes(current_app), "tiktok.callback", {}, force_consent=True
    )
    return redirect(url, 303)


@bp.get("/callback")
@admin_required
@limiter.limit(PAGES.callback_limit)
def callback():
    try:
        account = services.complete_connect(db.session, request.args, current_user)
    except services.FlowError as exc:
        return PAGES.flow_failed(exc)
    except services.ConnectError as exc:
        PAGES.record_failure("profile", str(exc))
        return PAGES.error_page(
            services.FlowError(
                "exchange",
                502,
                "TikTok did not finish the connection",
                "TikTok authorized the app but did not return the profile. Nothing was stored; "
                "try again in a moment.",
            )
        )
    flash(f"Connected TikTok account {account.display_name or account.remote_id}.", "success")
    missing = [s for s in config.scopes(current_app) if not account.has_scope(s)]
    if missing:
        flash(
            "The account owner did not allow: "
            + "; ".join(SCOPE_LABELS.get(scope, scope) for scope in missing)
            + ". Features that need it stay off until the account owner allows it "
            "(connect again and keep it ticked).",
            "warning",
        )
    return redirect(url_for("tiktok.index"))


@bp.post("/<int:account_id>/disconnect")
@admin_required
def disconnect(account_id: int):
    return PAGES.disconnect(account_id)


@bp.post("/<int:account_id>/check")
@admin_required
def check(account_id: int):
    PAGES.live_account(account_id)
    with scope(actor=Actor.user(current_user), account_id=account_id):
        try:
            account = services.refresh_profile(db.session, account_id)
        except services.ReconnectNeeded:
            flash("TikTok no longer accepts this authorization: reconnect the account.", "error")
        except PlatformError:
            flash("TikTok did not answer the check; try again in a moment.", "warning")
        else:
            flash(f"TikTok confirmed the connection to {account.display_name}.", "success")
    return redirect(url_for("tiktok.index"))
