"""Sign-in (password, then second factor or recovery code) and sign-out."""

from __future__ import annotations

import datetime as dt

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
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from studio import db
from studio.auth import bp, devices, services, twofactor
from studio.auth.events import AuthEvent, announce
from studio.auth.forms import ConfirmForm, LoginForm, TotpForm
from studio.auth.models import User
from studio.auth.safety import safe_next
from studio.extensions import limiter, login_manager

PENDING_KEY = "pending_2fa"
PENDING_TTL = 300
# Pages a person who must first choose a password may still open.
BEFORE_PASSWORD = frozenset({"auth.password", "auth.logout", "static"})


@login_manager.user_loader
def load_user(token: str) -> User | None:
    return services.load_session_user(db.session, token)


@bp.before_app_request
def require_own_password() -> Response | None:
    """Whoever signed in with an admin's one-time password chooses their own first."""
    if (
        current_user.is_authenticated
        and current_user.must_change_password
        and request.endpoint not in BEFORE_PASSWORD
    ):
        flash("Choose your own password before you continue.", "warning")
        return redirect(url_for("auth.password"))
    return None


def limit_ip() -> str:
    return current_app.config["LOGIN_RATE_LIMIT_IP"]


def limit_account() -> str:
    return current_app.config["LOGIN_RATE_LIMIT_ACCOUNT"]


def _pending_key() -> str:
    """Rate-limit key for the person whose second factor is being tried."""
    pending = session.get(PENDING_KEY) or {}
    return f"two-factor:{pending.get('uid', '-')}"


def _finish_login(user: User, remember: bool, next_url: str | None) -> Response:
    session.clear()  # rotate: nothing from before sign-in survives
    lifetime = dt.timedelta(seconds=current_app.config["PERMANENT_SESSION_LIFETIME"])
    if remember:
        lifetime = dt.timedelta(seconds=current_app.config["REMEMBER_COOKIE_DURATION"])
    # Audit first: when the log cannot be written, nobody gets signed in (fail closed).
    announce(AuthEvent.LOGIN, user, "signed in")
    services.start_session(db.session, user, lifetime)
    login_user(
        user,
        remember=remember,
        duration=dt.timedelta(seconds=current_app.config["REMEMBER_COOKIE_DURATION"]),
    )
    if user.must_change_password:
        target = url_for("auth.password")
    elif user.is_admin and current_app.config["REQUIRE_ADMIN_2FA"] and not user.totp_enabled:
        flash("Admins must turn on two-factor sign-in before continuing.", "warning")
        target = url_for("auth.totp_setup")
    else:
        target = safe_next(next_url) or url_for("dashboard.index")
    response = redirect(target)
    devices.issue(response, user.email)
    return response


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(limit_ip, methods=["POST"])
# Per account, but a browser holding the account's device cookie counts in its own bucket:
# strangers cannot lock the owner out (see studio/auth/devices.py for the decision).
@limiter.limit(limit_account, methods=["POST"], key_func=devices.login_limit_key)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.check_credentials(db.session, form.email.data, form.password.data)
        if user is None:
            announce(
                AuthEvent.LOGIN_FAILED,
                None,
                "sign-in failed",
                status="error",
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
@limiter.limit(limit_ip, methods=["POST"])
@limiter.limit(limit_account, methods=["POST"], key_func=_pending_key)
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
        try:
            factor = twofactor.verify_second_factor(db.session, user, form.code.data)
        except services.AuthError as exc:
            announce(AuthEvent.LOGIN_FAILED, user, "wrong two-factor code", status="error")
            flash(str(exc), "error")
            return render_template("auth/two_factor.html", form=form), 401
        if factor == twofactor.Factor.RECOVERY:
            left = twofactor.recovery_codes_left(db.session, user)
            announce(
                AuthEvent.RECOVERY_CODE_USED, user, f"signed in with a recovery code; {left} left"
            )
            response = _finish_login(user, pending["remember"], pending.get("next"))
            flash(
                f"You signed in with a recovery code; {left} of them remain, each usable once. "
                "If your device is lost, turn two-factor off and on again with a new device.",
                "warning",
            )
            return response
        return _finish_login(user, pending["remember"], pending.get("next"))
    return render_template("auth/two_factor.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    if ConfirmForm().validate_on_submit() and current_user.is_authenticated:
        announce(AuthEvent.LOGOUT, current_user, "signed out")
        services.end_session(db.session, current_user.login_session_id)
        logout_user()
        session.clear()
        flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))
