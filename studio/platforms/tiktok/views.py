"""Account page, connect (Login Kit), callback and disconnect."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from studio import config, db
from studio.audit import Action, Actor, record, scope
from studio.auth.decorators import admin_required
from studio.auth.forms import ConfirmForm
from studio.extensions import limiter
from studio.platforms.models import AccountStatus
from studio.platforms.tiktok import bp, services
from studio.platforms.tiktok.errors import PlatformError

SCOPE_LABELS = {
    "user.info.basic": "Read your profile name and avatar",
    "video.upload": "Send videos to your TikTok inbox as drafts",
    "video.publish": "Post videos directly to your profile",
    "user.info.profile": "Read profile details",
    "user.info.stats": "Read profile statistics",
    "video.list": "List your public videos",
}


def _callback_limit() -> str:
    return current_app.config["TIKTOK_CALLBACK_RATE_LIMIT"]


@bp.get("/")
@login_required
def index():
    accounts = services.all_accounts(db.session)
    active = [a for a in accounts if a.status != AccountStatus.DISCONNECTED]
    past = [a for a in accounts if a.status == AccountStatus.DISCONNECTED]
    wanted = config.scopes(current_app)
    return render_template(
        "tiktok/index.html",
        accounts=active,
        past=past,
        wanted=wanted,
        labels=SCOPE_LABELS,
        direct_post=bool(current_app.config["TIKTOK_DIRECT_POST"]),
        form=ConfirmForm(),
    )


@bp.post("/connect")
@admin_required
def connect():
    if not ConfirmForm().validate_on_submit():
        abort(400)
    url = services.start_flow(
        "connect", config.scopes(current_app), "tiktok.callback", {}, force_consent=True
    )
    return redirect(url, 303)


@bp.get("/callback")
@admin_required
@limiter.limit(_callback_limit)
def callback():
    try:
        account = services.complete_connect(db.session, request.args, current_user)
    except services.FlowError as exc:
        _record_failure(exc.kind, exc.error or exc.title)
        if exc.error == "access_denied":
            flash("You cancelled: nothing was connected.", "info")
            return redirect(url_for("tiktok.index"), 303)
        return render_template("tiktok/flow_error.html", error=exc), exc.status
    except services.ConnectError as exc:
        _record_failure("profile", str(exc))
        error = services.FlowError(
            "exchange",
            502,
            "TikTok did not finish the connection",
            "TikTok authorized the app but did not return the profile. Nothing was stored; "
            "try again in a moment.",
        )
        return render_template("tiktok/flow_error.html", error=error), 502
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
    if not ConfirmForm().validate_on_submit():
        abort(400)
    account = services.get_account(db.session, account_id)
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
        flash(f"Disconnected {name}: access revoked at TikTok and tokens erased.", "success")
    else:
        flash(
            f"Disconnected {name} and erased its tokens. TikTok did not confirm the revocation; "
            "the account owner can also remove the app under Manage app permissions in TikTok.",
            "warning",
        )
    return redirect(url_for("tiktok.index"))


@bp.post("/<int:account_id>/check")
@admin_required
def check(account_id: int):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    account = services.get_account(db.session, account_id)
    if account is None or account.status == AccountStatus.DISCONNECTED:
        abort(404)
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


def _record_failure(kind: str, detail: str) -> None:
    record(
        Action.TIKTOK_CONNECT_FAILED,
        actor=Actor.user(current_user),
        summary=f"connecting TikTok failed ({kind}): {detail}"[:500],
        status="error",
    )
