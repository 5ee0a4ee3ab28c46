"""A staff member's own account: password, e-mail, two-factor and recovery codes.

Every change here that an intruder with a borrowed session would want (password, e-mail,
turning two-factor off, new recovery codes) needs re-authentication: the current password,
and a current code (or a recovery code) when two-factor is on. Each is limited per person.
"""

from __future__ import annotations

import segno
from flask import current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from studio import db
from studio.auth import bp, services, twofactor
from studio.auth.events import AuthEvent, announce
from studio.auth.forms import (
    ConfirmForm,
    EmailChangeForm,
    EnrolForm,
    PasswordChangeForm,
    ReauthForm,
)
from studio.auth.views import limit_account
from studio.extensions import limiter


def _signed_in_key() -> str:
    """Rate-limit key for the signed-in person (password checks behind a session)."""
    return f"user:{current_user.id}" if current_user.is_authenticated else "user:-"


def _reauth_limit(view):
    return limiter.limit(limit_account, methods=["POST"], key_func=_signed_in_key)(view)


def _audit(event: AuthEvent, summary: str) -> None:
    announce(event, current_user, summary)


@bp.route("/password", methods=["GET", "POST"])
@login_required
@_reauth_limit
def password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            services.change_password(
                db.session, current_user, form.current.data, form.new.data, form.code.data or ""
            )
        except services.AuthError as exc:
            flash(str(exc), "error")
            return render_template("auth/password.html", form=form), 400
        _audit(AuthEvent.PASSWORD_CHANGED, "password changed; other sessions ended")
        flash("Password changed. Your other sessions were signed out.", "success")
        return redirect(url_for("dashboard.index"))
    return render_template("auth/password.html", form=form)


@bp.route("/email", methods=["GET", "POST"])
@login_required
@_reauth_limit
def email():
    form = EmailChangeForm()
    if form.validate_on_submit():
        try:
            services.change_email(
                db.session, current_user, form.email.data, form.current.data, form.code.data or ""
            )
        except services.AuthError as exc:
            flash(str(exc), "error")
            return render_template("auth/email.html", form=form), 400
        _audit(AuthEvent.EMAIL_CHANGED, f"staff #{current_user.id} changed their e-mail")
        flash(f"Your e-mail is now {current_user.email}.", "success")
        return redirect(url_for("dashboard.index"))
    status = 400 if form.errors else 200
    return render_template("auth/email.html", form=form), status


def _enabled_page(form: ReauthForm, status: int = 200):
    left = twofactor.recovery_codes_left(db.session, current_user)
    return render_template("auth/totp_enabled.html", form=form, left=left), status


def _codes_page(codes: list[str]):
    response = current_app.make_response(render_template("auth/recovery_codes.html", codes=codes))
    response.headers["Cache-Control"] = "no-store"
    return response


def _setup_page(form: EnrolForm, secret: str | None, status: int = 200):
    qr = None
    if secret:
        uri = twofactor.totp_uri(current_user, secret, current_app.config["OPERATOR_NAME"])
        qr = segno.make(uri).svg_data_uri(scale=5)
    page = render_template(
        "auth/totp_setup.html", form=form, qr=qr, secret=secret, start=ConfirmForm()
    )
    return page, status


@bp.route("/two-factor/setup", methods=["GET", "POST"])
@login_required
def totp_setup():
    if current_user.totp_enabled:
        return _enabled_page(ReauthForm(formdata=None))
    form = EnrolForm()
    login = services.login_row(db.session, current_user.login_session_id)
    secret = twofactor.pending_secret(login)
    if secret and form.validate_on_submit():
        try:
            codes = twofactor.enable_totp(db.session, current_user, secret, form.code.data, login)
        except services.AuthError as exc:
            flash(str(exc), "error")
            return _setup_page(form, secret, 400)
        _audit(AuthEvent.TOTP_ENABLED, "two-factor turned on; recovery codes issued")
        flash("Two-factor sign-in is on.", "success")
        return _codes_page(codes)
    return _setup_page(form, secret, 400 if form.errors else 200)


@bp.route("/two-factor/start", methods=["POST"])
@login_required
def totp_start():
    """A new enrolment seed (a POST: GETs change nothing)."""
    if current_user.totp_enabled or not ConfirmForm().validate_on_submit():
        return redirect(url_for("auth.totp_setup"))
    login = services.login_row(db.session, current_user.login_session_id)
    twofactor.start_enrolment(db.session, login)
    return redirect(url_for("auth.totp_setup"))


@bp.route("/two-factor/disable", methods=["POST"])
@login_required
@_reauth_limit
def totp_disable():
    form = ReauthForm()
    if current_user.is_admin and current_app.config["REQUIRE_ADMIN_2FA"]:
        flash("Two-factor sign-in is required for admins.", "error")
        return redirect(url_for("auth.totp_setup"))
    if not form.validate_on_submit():
        return _enabled_page(form, 400)
    try:
        services.reauthenticate(db.session, current_user, form.current.data, form.code.data or "")
    except services.AuthError as exc:
        flash(str(exc), "error")
        return _enabled_page(form, 400)
    twofactor.disable_totp(db.session, current_user)
    _audit(AuthEvent.TOTP_DISABLED, "two-factor turned off")
    flash("Two-factor sign-in is off.", "info")
    return redirect(url_for("dashboard.index"))


@bp.route("/two-factor/recovery-codes", methods=["POST"])
@login_required
@_reauth_limit
def recovery_codes():
    form = ReauthForm()
    if not current_user.totp_enabled:
        return redirect(url_for("auth.totp_setup"))
    try:
        if not form.validate_on_submit():
            raise services.AuthError("Enter your current password and a current code.")
        services.reauthenticate(db.session, current_user, form.current.data, form.code.data or "")
    except services.AuthError as exc:
        flash(str(exc), "error")
        return _enabled_page(form, 400)
    codes = twofactor.new_recovery_codes(db.session, current_user)
    _audit(AuthEvent.RECOVERY_CODES_RENEWED, "new recovery codes; the old ones no longer work")
    return _codes_page(codes)
