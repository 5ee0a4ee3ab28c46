"""Sign-in, sign-out, password change and two-factor pages."""

from __future__ import annotations

import datetime as dt

import segno
from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user

from studio import db
from studio.audit import Action, Actor, record
from studio.auth import bp, services
from studio.auth.forms import ConfirmForm, LoginForm, PasswordChangeForm, TotpForm
from studio.auth.models import User
from studio.auth.safety import safe_next
from studio.extensions import form_email_key, limiter, login_manager

PENDING_KEY = "pending_2fa"
PENDING_TTL = 300


@login_manager.user_loader
def load_user(token: str) -> User | None:
    return services.load_session_user(db.session, token)


def _limit_ip() -> str:
    return current_app.config["LOGIN_RATE_LIMIT_IP"]


def _limit_account() -> str:
    return current_app.config["LOGIN_RATE_LIMIT_ACCOUNT"]


def _signed_in_key() -> str:
    """Rate-limit key for the signed-in person (password checks behind a session)."""
    return f"user:{current_user.id}" if current_user.is_authenticated else "user:-"


def _pending_key() -> str:
    """Rate-limit key for the person whose second factor is being tried."""
    pending = session.get(PENDING_KEY) or {}
    return f"two-factor:{pending.get('uid', '-')}"


def _finish_login(user: User, remember: bool, next_url: str | None):
    session.clear()  # rotate: nothing from before sign-in survives
    lifetime = dt.timedelta(seconds=current_app.config["PERMANENT_SESSION_LIFETIME"])
    if remember:
        lifetime = dt.timedelta(seconds=current_app.config["REMEMBER_COOKIE_DURATION"])
    # Audit first: when the log cannot be written, nobody gets signed in (fail closed).
    record(Action.AUTH_LOGIN, actor=Actor.user(user), summary="signed in")
    services.start_session(db.session, user, lifetime)
    login_user(
        user,
        remember=remember,
        duration=dt.timedelta(seconds=current_app.config["REMEMBER_COOKIE_DURATION"]),
    )
    if user.is_admin and current_app.config["REQUIRE_ADMIN_2FA"] and not user.totp_enabled:
        flash("Admins must turn on two-factor sign-in before continuing.", "warning")
        return redirect(url_for("auth.totp_setup"))
    return redirect(safe_next(next_url) or url_for("dashboard.index"))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_limit_ip, methods=["POST"])
@limiter.limit(_limit_account, methods=["POST"], key_func=form_email_key)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.check_credentials(db.session, form.email.data, form.password.data)
        if user is None:
            record(
                Action.AUTH_LOGIN_FAILED,
                actor=Actor.public(),
                status="error",
                summary="sign-in failed",
                payload={"email": form.email.data.strip().lower()},
            )
            flash("Invalid email or password.", "error")
            return render_template("auth/login.html", form=form), 401
        if user.totp_enabled:
            session.clear()
            session[PENDING_KEY] = {
                "uid": user.id,
                "remember": bool(form.remember.data),
                "at": dt.datetime.now(dt.UTC).timestamp(),
                "next": safe_next(request.args.get("next")),
            }
            return redirect(url_for("auth.two_factor"))
        return _finish_login(user, bool(form.remember.data), request.args.get("next"))
    status = 400 if request.method == "POST" else 200
    return render_template("auth/login.html", form=form), status


@bp.route("/two-factor", methods=["GET", "POST"])
@limiter.limit(_limit_ip, methods=["POST"])
@limiter.limit(_limit_account, methods=["POST"], key_func=_pending_key)
def two_factor():
    pending = session.get(PENDING_KEY)
    now = dt.datetime.now(dt.UTC).timestamp()
    if not pending or now - pending["at"] > PENDING_TTL:
        session.pop(PENDING_KEY, None)
        flash("Sign in again.", "info")
        return redirect(url_for("auth.login"))
    user = db.session.get(User, pending["uid"])
    if user is None or not user.active:
        abort(403)
    form = TotpForm()
    if form.validate_on_submit():
        if services.verify_totp(db.session, user, form.code.data):
            return _finish_login(user, pending["remember"], pending.get("next"))
        record(
            Action.AUTH_LOGIN_FAILED,
            actor=Actor.user(user),
            status="error",
            summary="wrong two-factor code",
        )
        flash("That code is not correct.", "error")
        return render_template("auth/two_factor.html", form=form), 401
    return render_template("auth/two_factor.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    if ConfirmForm().validate_on_submit() and current_user.is_authenticated:
        record(Action.AUTH_LOGOUT, actor=Actor.user(current_user), summary="signed out")
        services.end_session(db.session, current_user.login_session_id)
        logout_user()
        session.clear()
        flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
@limiter.limit(_limit_account, methods=["POST"], key_func=_signed_in_key)
def password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            services.change_password(db.session, current_user, form.current.data, form.new.data)
        except services.AuthError as exc:
            flash(str(exc), "error")
            return render_template("auth/password.html", form=form), 400
        record(
            Action.AUTH_PASSWORD_CHANGED,
            actor=Actor.user(current_user),
            summary="password changed; other sessions ended",
        )
        flash("Password changed. Your other sessions were signed out.", "success")
        return redirect(url_for("dashboard.index"))
    return render_template("auth/password.html", form=form)


@bp.route("/two-factor/setup", methods=["GET", "POST"])
@login_required
def totp_setup():
    form = TotpForm()
    if current_user.totp_enabled:
        return render_template("auth/totp_enabled.html", form=ConfirmForm())
    secret = session.get("totp_setup") or services.new_totp_secret()
    session["totp_setup"] = secret
    if form.validate_on_submit():
        try:
            services.enable_totp(db.session, current_user, secret, form.code.data)
        except services.AuthError as exc:
            flash(str(exc), "error")
        else:
            session.pop("totp_setup", None)
            record(
                Action.AUTH_TOTP_ENABLED,
                actor=Actor.user(current_user),
                summary="two-factor turned on",
            )
            flash("Two-factor sign-in is on.", "success")
            return redirect(url_for("dashboard.index"))
    uri = services.totp_uri(current_user, secret, current_app.config["OPERATOR_NAME"])
    qr = segno.make(uri).svg_data_uri(scale=5)
    return render_template("auth/totp_setup.html", form=form, qr=qr, secret=secret)


@bp.route("/two-factor/disable", methods=["POST"])
@login_required
def totp_disable():
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if current_user.is_admin and current_app.config["REQUIRE_ADMIN_2FA"]:
        flash("Two-factor sign-in is required for admins.", "error")
        return redirect(url_for("auth.totp_setup"))
    services.disable_totp(db.session, current_user)
    record(
        Action.AUTH_TOTP_DISABLED, actor=Actor.user(current_user), summary="two-factor turned off"
    )
    flash("Two-factor sign-in is off.", "info")
    return redirect(url_for("dashboard.index"))
