"""Optional TOTP two-factor sign-in: enrolment, codes once per step, recovery codes."""

from __future__ import annotations

import pyotp
from sqlalchemy import select

from studio import db
from studio.auth.models import RecoveryCode, User
from tests.conftest import AuthActions
from tests.helpers import ADMIN_PASSWORD, csrf_token, enrol_totp, next_totp


def _second_step(client, code: str):
    token = csrf_token(client, "/auth/two-factor")
    return client.post("/auth/two-factor", data={"code": code, "csrf_token": token})


def test_enable_totp_then_login_needs_code(app, auth, client):
    auth.login()
    secret, _codes = enrol_totp(client)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "admin@example.com"))
        assert user.totp_enabled
        assert secret not in (user.totp_secret or "")  # stored encrypted
    auth.logout()
    response = auth.login()
    assert response.headers["Location"].endswith("/auth/two-factor")
    assert client.get("/dashboard/").status_code == 302  # not signed in yet
    wrong = _second_step(client, "000000")
    assert wrong.status_code == 401
    assert b"That code is not correct." in wrong.data
    ok = _second_step(client, next_totp(secret))
    assert ok.status_code == 302
    assert client.get("/dashboard/").status_code == 200


def test_code_used_at_enrolment_says_wait_for_the_next(app, auth, client):
    auth.login()
    secret, _codes = enrol_totp(client)
    with app.app_context():
        step = db.session.scalar(select(User.last_totp_step).where(User.totp_enabled))
    auth.logout()
    auth.login()
    totp = pyotp.TOTP(secret)
    replay = _second_step(client, totp.at(step * totp.interval))  # the code enrolment used
    assert replay.status_code == 401
    page = replay.get_data(as_text=True)
    assert "That code was already used" in page
    assert "Wait until your app shows the next code" in page
    assert client.get("/dashboard/").status_code == 302


def test_recovery_codes_are_stored_hashed_and_shown_once(app, auth, client):
    auth.login()
    _secret, codes = enrol_totp(client)
    assert len(set(codes)) == 10 and len(codes[0]) == 14
    with app.app_context():
        hashes = db.session.scalars(select(RecoveryCode.code_hash)).all()
    assert len(hashes) == 10
    assert not {c.replace("-", "") for c in codes} & set(hashes)
    page = client.get("/auth/two-factor/setup").get_data(as_text=True)
    assert "10</strong> unused recovery codes" in page
    assert not any(code in page for code in codes)


def test_lost_device_sign_in_with_a_recovery_code_once(app, auth, client):
    auth.login()
    _secret, codes = enrol_totp(client)
    auth.logout()
    auth.login()
    used = _second_step(client, codes[3].upper())  # case and dashes do not matter
    assert used.status_code == 302
    landed = client.get(used.headers["Location"], follow_redirects=True)
    assert "9 of them remain" in landed.get_data(as_text=True)
    auth.logout()
    auth.login()
    again = _second_step(client, codes[3])
    assert again.status_code == 401
    assert b"That recovery code is not correct or was already used." in again.data


def test_new_recovery_codes_replace_the_old(app, auth, client):
    auth.login()
    secret, old = enrol_totp(client)
    token = csrf_token(client, "/auth/two-factor/setup")
    renewed = client.post(
        "/auth/two-factor/recovery-codes",
        data={"current": ADMIN_PASSWORD, "code": next_totp(secret), "csrf_token": token},
    )
    assert renewed.status_code == 200
    assert renewed.headers["Cache-Control"] == "no-store"
    auth.logout()
    auth.login()
    assert _second_step(client, old[0]).status_code == 401


def test_two_factor_page_without_password_step_redirects(client):
    response = client.get("/auth/two-factor")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_required_admin_2fa_forces_setup(make_app):
    app = make_app(REQUIRE_ADMIN_2FA=True)
    from tests.conftest import make_user

    make_user(app, "admin@example.com", ADMIN_PASSWORD, role="admin")
    client = app.test_client()
    response = AuthActions(app, client).login()
    assert response.headers["Location"].endswith("/auth/two-factor/setup")
