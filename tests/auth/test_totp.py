"""Optional TOTP two-factor sign-in."""

from __future__ import annotations

import re

import pyotp
from sqlalchemy import select

from studio import db
from studio.auth.models import User
from tests.helpers import ADMIN_PASSWORD, csrf_token


def _enable(client) -> str:
    page = client.get("/auth/two-factor/setup").get_data(as_text=True)
    secret = re.search(r'<p class="mono small">([A-Z2-7]+)</p>', page).group(1)
    token = csrf_token(client, "/auth/two-factor/setup")
    code = pyotp.TOTP(secret).now()
    response = client.post("/auth/two-factor/setup", data={"code": code, "csrf_token": token})
    assert response.status_code == 302
    return secret


def test_enable_totp_then_login_needs_code(app, auth, client):
    auth.login()
    secret = _enable(client)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "admin@example.com"))
        assert user.totp_enabled
        assert secret not in (user.totp_secret or "")  # stored encrypted
    auth.logout()
    response = auth.login()
    assert response.headers["Location"].endswith("/auth/two-factor")
    assert client.get("/dashboard/").status_code == 302  # not signed in yet
    token = csrf_token(client, "/auth/two-factor")
    wrong = client.post("/auth/two-factor", data={"code": "000000", "csrf_token": token})
    assert wrong.status_code == 401
    # a code already used at enrolment cannot be replayed; the next step's code works
    totp = pyotp.TOTP(secret)
    import time

    later = totp.at(time.time() + 30)
    ok = client.post("/auth/two-factor", data={"code": later, "csrf_token": token})
    assert ok.status_code == 302
    assert client.get("/dashboard/").status_code == 200


def test_two_factor_page_without_password_step_redirects(client):
    response = client.get("/auth/two-factor")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_required_admin_2fa_forces_setup(make_app):
    app = make_app(REQUIRE_ADMIN_2FA=True)
    from tests.conftest import AuthActions, make_user

    make_user(app, "admin@example.com", ADMIN_PASSWORD, role="admin")
    client = app.test_client()
    response = AuthActions(app, client).login()
    assert response.headers["Location"].endswith("/auth/two-factor/setup")
