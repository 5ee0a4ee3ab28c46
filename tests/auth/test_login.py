"""Sign-in, sign-out, lockout, session invalidation and redirects."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from studio import db
from studio.auth.models import LoginSession, User
from tests.helpers import ADMIN_PASSWORD, STAFF_PASSWORD, csrf_token


def test_login_success_reaches_dashboard(auth, client):
    response = auth.login()
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard/"
    page = client.get("/dashboard/")
    assert page.status_code == 200
    assert b"admin@example.com" in page.data


def test_login_failure_is_generic(auth, client):
    wrong_password = auth.login("admin@example.com", "not the right password at all")
    unknown_user = auth.login("nobody@example.com", "not the right password at all")
    for response in (wrong_password, unknown_user):
        assert response.status_code == 401
        assert b"Invalid email or password." in response.data
    assert client.get("/dashboard/").status_code == 302


def test_disabled_user_cannot_sign_in(app, auth):
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "staff@example.com"))
        user.active = False
        db.session.commit()
    response = auth.login("staff@example.com", STAFF_PASSWORD)
    assert response.status_code == 401


def test_per_account_lockout_returns_readable_429(make_app):
    app = make_app(LOGIN_RATE_LIMIT_ACCOUNT="3 per 15 minutes", LOGIN_RATE_LIMIT_IP="100/minute")
    from tests.conftest import make_user

    make_user(app, "admin@example.com", ADMIN_PASSWORD)
    client = app.test_client()
    token = csrf_token(client, "/auth/login")
    statuses = [
        client.post(
            "/auth/login",
            data={"email": "admin@example.com", "password": "wrong " * 4, "csrf_token": token},
        ).status_code
        for _ in range(4)
    ]
    assert statuses == [401, 401, 401, 429]
    locked = client.post(
        "/auth/login",
        data={"email": "admin@example.com", "password": ADMIN_PASSWORD, "csrf_token": token},
    )
    assert locked.status_code == 429
    assert b"Too many" in locked.data
    assert b"Traceback" not in locked.data
    # the limit is per account: another account can still sign in from this address
    make_user(app, "other@example.com", STAFF_PASSWORD)
    other = client.post(
        "/auth/login",
        data={"email": "other@example.com", "password": STAFF_PASSWORD, "csrf_token": token},
    )
    assert other.status_code == 302


def test_per_ip_lockout(make_app):
    app = make_app(LOGIN_RATE_LIMIT_IP="2 per minute")
    client = app.test_client()
    token = csrf_token(client, "/auth/login")
    codes = [
        client.post(
            "/auth/login", data={"email": f"u{i}@example.com", "password": "x", "csrf_token": token}
        ).status_code
        for i in range(3)
    ]
    assert codes[-1] == 429


def test_missing_csrf_is_400(client, users):
    response = client.post(
        "/auth/login", data={"email": "admin@example.com", "password": ADMIN_PASSWORD}
    )
    assert response.status_code == 400
    assert b"CSRF" in response.data
    assert client.get("/dashboard/").status_code == 302


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
        "javascript:alert(1)",
        "http:/evil.example",
        "/%09/evil.example",
        "evil.example",
    ],
)
def test_open_redirect_refused(auth, target):
    response = auth.login(next_url=target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard/"


def test_same_site_next_is_followed(auth):
    response = auth.login(next_url="/staff/")
    assert response.headers["Location"] == "/staff/"


def test_logout_invalidates_copied_cookie(app, auth, client):
    auth.login()
    stolen = client.get_cookie("session").value
    auth.logout()
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    assert thief.get("/dashboard/").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LoginSession)) == 0


def test_session_rotated_on_login(auth, client):
    client.get("/auth/login")
    before = client.get_cookie("session").value
    auth.login()
    after = client.get_cookie("session").value
    assert before != after


def test_remember_me_off_by_default_and_short(app, client, users):
    token = csrf_token(client, "/auth/login")
    client.post(
        "/auth/login",
        data={"email": "admin@example.com", "password": ADMIN_PASSWORD, "csrf_token": token},
    )
    assert client.get_cookie("remember_token") is None
    assert app.config["REMEMBER_COOKIE_DURATION"] <= 60 * 60 * 24 * 14


def test_cookies_are_httponly_and_lax(auth, client):
    response = auth.login()
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_password_change_ends_other_sessions(app, auth, client):
    auth.login()
    other = app.test_client()
    token = csrf_token(other, "/auth/login")
    other.post(
        "/auth/login",
        data={"email": "admin@example.com", "password": ADMIN_PASSWORD, "csrf_token": token},
    )
    assert other.get("/dashboard/").status_code == 200
    new_password = "lantern meadow quietly orbit seventeen"
    token = csrf_token(client, "/auth/password")
    response = client.post(
        "/auth/password", data={"current": ADMIN_PASSWORD, "new": new_password, "csrf_token": token}
    )
    assert response.status_code == 302
    assert client.get("/dashboard/").status_code == 200
    assert other.get("/dashboard/").status_code == 302


@pytest.mark.parametrize(
    "weak,reason",
    [
        ("short pass", "at least 15"),
        ("1qaz2wsx3edc4rfv", "common"),
        ("aaaaaaaaaaaaaaaaaaaa", "easy to guess"),
    ],
)
def test_weak_new_password_refused(auth, client, weak, reason):
    auth.login()
    token = csrf_token(client, "/auth/password")
    response = client.post(
        "/auth/password", data={"current": ADMIN_PASSWORD, "new": weak, "csrf_token": token}
    )
    assert response.status_code == 400
    assert reason.encode() in response.data
