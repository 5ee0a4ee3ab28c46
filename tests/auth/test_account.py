"""A staff member's own account: re-authenticated changes of two-factor, e-mail and role."""

from __future__ import annotations

from sqlalchemy import select

from studio import db
from studio.auth.models import LoginSession, RecoveryCode, Role, User
from tests.conftest import make_user
from tests.helpers import ADMIN_PASSWORD, STAFF_PASSWORD, csrf_token, enrol_totp, next_totp


def _user(app, email: str) -> User | None:
    with app.app_context():
        return db.session.scalar(select(User).where(User.email == email))


def test_turning_off_two_factor_with_password_and_code(app, auth, client):
    auth.login()
    secret, _codes = enrol_totp(client)
    token = csrf_token(client, "/auth/two-factor/setup")
    answer = client.post(
        "/auth/two-factor/disable",
        data={"current": ADMIN_PASSWORD, "code": next_totp(secret), "csrf_token": token},
    )
    assert answer.status_code == 302
    user = _user(app, "admin@example.com")
    assert not user.totp_enabled and user.totp_secret is None
    with app.app_context():
        assert db.session.scalar(select(RecoveryCode.id)) is None


def test_a_recovery_code_also_turns_off_two_factor_after_losing_the_device(app, auth, client):
    auth.login()
    _secret, codes = enrol_totp(client)
    token = csrf_token(client, "/auth/two-factor/setup")
    answer = client.post(
        "/auth/two-factor/disable",
        data={"current": ADMIN_PASSWORD, "code": codes[0], "csrf_token": token},
    )
    assert answer.status_code == 302
    assert not _user(app, "admin@example.com").totp_enabled


def test_pending_seed_is_kept_server_side_and_encrypted(app, auth, client):
    auth.login()
    intro = client.get("/auth/two-factor/setup").get_data(as_text=True)
    assert 'id="totp-key"' not in intro
    client.post("/auth/two-factor/start", data={"csrf_token": csrf_token(client, "/dashboard/")})
    first = client.get("/auth/two-factor/setup").get_data(as_text=True)
    again = client.get("/auth/two-factor/setup").get_data(as_text=True)
    key = 'id="totp-key" data-copy>'
    seed = first.split(key)[1].split("<")[0]
    assert seed == again.split(key)[1].split("<")[0]  # the same enrolment across requests
    with app.app_context():
        (stored,) = db.session.scalars(select(LoginSession.pending_totp)).all()
    assert stored and seed not in stored
    enrol_totp(client)
    with app.app_context():
        assert db.session.scalars(select(LoginSession.pending_totp)).all() == [None]


def test_password_change_with_two_factor_on_takes_a_code(app, auth, client):
    auth.login()
    secret, _codes = enrol_totp(client)
    token = csrf_token(client, "/auth/password")
    answer = client.post(
        "/auth/password",
        data={
            "current": ADMIN_PASSWORD,
            "code": next_totp(secret),
            "new": "plum cactus lantern voyage",
            "csrf_token": token,
        },
    )
    assert answer.status_code == 302


def test_email_change(app, client, users):
    from tests.conftest import AuthActions

    auth = AuthActions(app, client)
    auth.login("staff@example.com", STAFF_PASSWORD)
    token = csrf_token(client, "/auth/email")
    answer = client.post(
        "/auth/email",
        data={"email": "Renamed@Example.com", "current": STAFF_PASSWORD, "csrf_token": token},
    )
    assert answer.status_code == 302
    assert _user(app, "renamed@example.com") is not None
    auth.logout()
    assert auth.login("renamed@example.com", STAFF_PASSWORD).status_code == 302


def test_email_change_refuses_another_accounts_address(app, client, users):
    from tests.conftest import AuthActions

    AuthActions(app, client).login("staff@example.com", STAFF_PASSWORD)
    token = csrf_token(client, "/auth/email")
    answer = client.post(
        "/auth/email",
        data={"email": "admin@example.com", "current": STAFF_PASSWORD, "csrf_token": token},
    )
    assert answer.status_code == 400
    assert b"already exists" in answer.data


def test_own_role_change_with_password(app, admin_client):
    make_user(app, "second@example.com", STAFF_PASSWORD, Role.ADMIN)
    uid = _user(app, "admin@example.com").id
    token = csrf_token(admin_client, f"/staff/{uid}")
    answer = admin_client.post(
        f"/staff/{uid}",
        data={"role": "staff", "active": "y", "current": ADMIN_PASSWORD, "csrf_token": token},
    )
    assert answer.status_code == 302
    assert _user(app, "admin@example.com").role == Role.STAFF


def test_device_cookie_is_issued_after_sign_in(auth, client):
    response = auth.login()
    device = next(
        c for c in response.headers.getlist("Set-Cookie") if c.startswith("studio_device=")
    )
    assert "HttpOnly" in device and "SameSite=Lax" in device and "Max-Age=15552000" in device
    assert "admin" not in device  # names the account by a keyed digest only
