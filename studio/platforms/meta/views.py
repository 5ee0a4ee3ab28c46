"""Account page, connect (Facebook Login), callback, choosing accounts, and disconnect."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from studio import db
from studio.auth.decorators import admin_required
from studio.extensions import limiter
from studio.platforms.meta import bp, choices, connection, services
from studio.platforms.meta import metrics as meta_metrics
from studio.platforms.meta.connection import REVOKE_PAGE
from studio.platforms.meta.forms import ChooseForm
from studio.platforms.models import Account, AccountStatus
from studio.platforms.oauth import FlowError
from studio.platforms.pages import Pages, confirmed

# Each permission asked for, and why (docs/platforms/meta.md, Permissions).
SCOPE_LABELS = {
    "pages_show_list": "List the Pages you manage, so that you can choose which to use",
    "pages_read_engagement": "Read the chosen Pages' details and posts (needed to publish Reels)",
    "pages_manage_posts": "Publish Reels on the chosen Pages",
    "instagram_basic": "See the Instagram accounts linked to those Pages (name, picture)",
    "instagram_content_publish": "Publish Reels on the chosen Instagram accounts",
    "instagram_manage_insights": "Read how the published Reels perform on Instagram",
    "read_insights": "Read how the published Reels perform on Facebook",
    "business_management": "See Pages owned through a business portfolio (Meta lists them "
    "only with this permission)",
}
PAGES = Pages(
    bp="meta",
    label="Meta",
    issuer="Meta",
    back_label="Back to the Meta page",
    connect_failed=services.CONNECT_FAILED,
    limit_key="META_CALLBACK_RATE_LIMIT",
    find=connection.get_login,
    end=services.disconnect,
    revoke_hint=f"the person can also remove the app at {REVOKE_PAGE}.",
)


@bp.get("/")
@login_required
def index():
    logins = connection.all_logins(db.session)
    linked = {login.id: services.children(db.session, login) for login in logins}
    return PAGES.index(
        logins,
        wanted=connection.scopes(current_app.config),
        labels=SCOPE_LABELS,
        revoke_page=REVOKE_PAGE,
        linked=linked,
        metrics_why=meta_metrics.WHY if current_app.config["METRICS_ENABLED"] else "",
        insights=connection.INSIGHTS_SCOPES,
    )


@bp.post("/connect")
@admin_required
def connect():
    confirmed()
    cfg = current_app.config
    url = services.start_connect(cfg["META_LOGIN_CONFIG_ID"], int(cfg["META_FLOW_TTL"]))
    return redirect(url, 303)


@bp.get("/callback")
@admin_required
@limiter.limit(PAGES.callback_limit)
def callback():
    try:
        login = services.complete_connect(db.session, request.args, current_user)
    except FlowError as exc:
        return PAGES.flow_failed(exc)
    flash(f"Connected {login.display_name}. Now choose the accounts to publish to.", "success")
    return redirect(url_for("meta.choose", login_id=login.id), 303)


@bp.route("/<int:login_id>/choose", methods=["GET", "POST"])
@admin_required
def choose(login_id: int):
    login = _live_login(login_id)
    form = ChooseForm()
    error, status = None, 200
    if form.is_submitted():
        if not form.validate():
            abort(400)
        try:
            chosen = choices.choose(
                db.session, login, form.pages.data or [], form.instagram.data or [], current_user
            )
        except choices.ChoiceError as exc:
            error, status = exc.message, exc.status
        else:
            flash(f"Publishing to: {', '.join(_named(a) for a in chosen)}.", "success")
            return redirect(url_for("meta.index"), 303)
    try:
        offers = choices.offers(db.session, login)
    except choices.ChoiceError as exc:
        error, status, offers = exc.message, exc.status, []
    page = render_template("meta/choose.html", login=login, offers=offers, form=form, error=error)
    return page, status


def _named(account: Account) -> str:
    if account.platform == connection.INSTAGRAM:
        return f"Instagram {account.handle or account.display_name}"
    return f"Facebook Page {account.display_name or account.remote_id}"


def _live_login(login_id: int) -> Account:
    login = connection.get_login(db.session, login_id)
    if login is None or login.status == AccountStatus.DISCONNECTED:
        abort(404)
    return login


@bp.post("/<int:account_id>/disconnect")
@admin_required
def disconnect(account_id: int):
    return PAGES.disconnect(account_id)
