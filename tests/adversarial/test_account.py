"""Account takeover steps behind a borrowed session, secrets in cookies, look-alike staff
addresses, context passwords, lockouts caused by strangers, production cookie names."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select

from studio import db
from studio.auth.models import LoginSession, Role, User
from tests.adversarial.conftest import Snapshot, count
from tests.conftest import make_user
from tests.helpers import (
    ADMIN_PASSWORD,
    STAFF_PASSWORD,
    csrf_token,
    enrol_totp,
    extract_csrf,
    next_totp,
)

WRONG = "definitely not the password"
OWNER = {"REMOTE_ADDR": "192.0.2.10"}


@pytest.fixture
def app(make_app) -> Flask:
    return make_app(LOGIN_RATE_LIMIT_IP="1000 per minute", LOGIN_RATE_LIMIT_ACCOUNT="1000/minute")


def _login(client: FlaskClient, email: str, password: str, **kw):
    token = csrf_token(client, "/auth/login")
    return client.post(
        "/auth/login", data={"email": email, "password": password, "csrf_token": token}, **kw
    )


def _signed_in(app: Flask, email: str, password: str) -> FlaskClient:
    client = app.test_client()
    assert _login(client, email, password).status_code == 302
    return client


def _user(app: Flask, email: str) -> User:
    with app.app_context():
        return db.session.scalar(select(User).where(User.email == email))


DISABLE_ATTEMPTS = {
    "csrf token only": {},
    "wrong password": {"current": WRONG, "code": "next"},
    "right password, no code": {"current": ADMIN_PASSWORD},
    "right password, wrong code": {"current": ADMIN_PASSWORD, "code": "000000"},
    "right password, code already used": {"current": ADMIN_PASSWORD, "code": "used"},
}


@pytest.mark.parametrize("attempt", DISABLE_ATTEMPTS, ids=list(DISABLE_ATTEMPTS))
def test_a_session_alone_cannot_turn_off_two_factor(app: Flask, users, attempt: str) -> None:
    import pyotp

    client = _signed_in(app, users["admin"], ADMIN_PASSWORD)
    secret, _codes = enrol_totp(client)
    data = dict(DISABLE_ATTEMPTS[attempt])
    if data.get("code") == "next":
        data["code"] = next_totp(secret)
    elif data.get("code") == "used":
        step = _user(app, users["admin"]).last_totp_step
        data["code"] = pyotp.TOTP(secret).at(step * 30)
    before = Snapshot(app)
    token = csrf_token(client, "/auth/two-factor/setup")
    answer = client.post("/auth/two-factor/disable", data={**data, "csrf_token": token})
    assert answer.status_code == 400
    assert b"Two-factor sign-in is on" in answer.data
    before.assert_unchanged()
    assert _user(app, users["admin"]).totp_enabled


def test_password_change_needs_the_second_factor_when_it_is_on(app: Flask, users) -> None:
    client = _signed_in(app, users["admin"], ADMIN_PASSWORD)
    enrol_totp(client)
    before = Snapshot(app)
    token = csrf_token(client, "/auth/password")
    answer = client.post(
        "/auth/password",
        data={"current": ADMIN_PASSWORD, "new": "plum cactus lantern voyage", "csrf_token": token},
    )
    assert answer.status_code == 400
    assert b"Enter a current code from your authenticator app." in answer.data
    before.assert_unchanged()


def test_own_role_change_needs_the_password(app: Flask, users) -> None:
    make_user(app, "second@example.com", STAFF_PASSWORD, Role.ADMIN)
    client = _signed_in(app, users["admin"], ADMIN_PASSWORD)
    uid = _user(app, users["admin"]).id
    before = Snapshot(app)
    token = csrf_token(client, f"/staff/{uid}")
    answer = client.post(
        f"/staff/{uid}", data={"role": "staff", "active": "y", "csrf_token": token}
    )
    assert answer.status_code == 400
    assert b"The current password is not correct." in answer.data
    before.assert_unchanged()


def test_own_email_change_needs_the_password(app: Flask, users) -> None:
    client = _signed_in(app, users["staff"], STAFF_PASSWORD)
    before = Snapshot(app)
    token = csrf_token(client, "/auth/email")
    answer = client.post(
        "/auth/email",
        data={"email": "attacker@evil.example", "current": WRONG, "csrf_token": token},
    )
    assert answer.status_code == 400
    assert b"The current password is not correct." in answer.data
    before.assert_unchanged()


def _cookie_texts(app: Flask, client: FlaskClient) -> list[str]:
    """Every cookie the client holds, raw and decoded (Flask's session, the device cookie)."""
    session_serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    device = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="studio.device-cookie")
    texts = []
    for name in ("session", "remember_token", "studio_device"):
        cookie = client.get_cookie(name)
        if cookie is None:
            continue
        texts.append(cookie.value)
        reader = session_serializer if name == "session" else device
        try:
            texts.append(repr(reader.loads(cookie.value)))
        except Exception:  # noqa: BLE001 - remember_token is not a serializer value
            pass
    return texts


def test_no_cookie_ever_holds_the_totp_seed_or_a_recovery_code(app: Flask, users) -> None:
    client = _signed_in(app, users["admin"], ADMIN_PASSWORD)
    seen: list[str] = []
    page = client.get("/auth/two-factor/setup").get_data(as_text=True)
    seen += _cookie_texts(app, client)
    client.post("/auth/two-factor/start", data={"csrf_token": extract_csrf(page)})
    seen += _cookie_texts(app, client)
    client.post("/auth/two-factor/setup", data={"code": "000000", "csrf_token": extract_csrf(page)})
    seen += _cookie_texts(app, client)
    secret, codes = enrol_totp(client)
    seen += _cookie_texts(app, client)
    token = csrf_token(client, "/dashboard/")
    client.post("/auth/logout", data={"csrf_token": token})
    _login(client, users["admin"], ADMIN_PASSWORD)
    seen += _cookie_texts(app, client)
    token = csrf_token(client, "/auth/two-factor")
    client.post("/auth/two-factor", data={"code": codes[0], "csrf_token": token})
    seen += _cookie_texts(app, client)
    blob = "\n".join(seen)
    assert seen and "pending_2fa" in blob  # the decoding worked
    needles = [secret, secret.lower(), *codes, *(c.replace("-", "") for c in codes)]
    assert [n for n in needles if n in blob] == []


LOOK_ALIKES = {
    "Cyrillic a": "\u0430dmin@example.com",
    "fullwidth": "\uff41\uff44\uff4d\uff49\uff4e@example.com",
    "Cyrillic i": "adm\u0456n@example.com",
    "Greek omicron in the domain": "admin@examp\u217ce.c\u03bfm",
    "upper case": "ADMIN@EXAMPLE.COM",
    "zero-width space": "ad\u200bmin@example.com",
    "right-to-left mark": "admin\u200f@example.com",
    "mathematical bold": "\U0001d41a\U0001d41d\U0001d426\U0001d422\U0001d427@example.com",
}


@pytest.mark.parametrize("spelling", LOOK_ALIKES.values(), ids=list(LOOK_ALIKES))
def test_look_alike_staff_address_is_refused(app: Flask, users, spelling: str) -> None:
    client = _signed_in(app, users["admin"], ADMIN_PASSWORD)
    before = Snapshot(app)
    token = csrf_token(client, "/staff/")
    answer = client.post("/staff/", data={"email": spelling, "role": "admin", "csrf_token": token})
    assert answer.status_code == 400
    text = answer.get_data(as_text=True)
    refusals = ("looks like the address of another", "already exists", "Invalid email address")
    assert any(refusal in text for refusal in refusals), text
    before.assert_unchanged()


def test_look_alikes_refused_by_the_cli_and_the_e_mail_change(app: Flask, users) -> None:
    runner = app.test_cli_runner()
    client = _signed_in(app, users["staff"], STAFF_PASSWORD)
    before = Snapshot(app)
    for spelling in LOOK_ALIKES.values():
        made = runner.invoke(args=["create-user", spelling], input=STAFF_PASSWORD + "\n")
        assert made.exit_code != 0, spelling
        token = csrf_token(client, "/auth/email")
        moved = client.post(
            "/auth/email",
            data={"email": spelling, "current": STAFF_PASSWORD, "csrf_token": token},
        )
        assert moved.status_code == 400, spelling
    before.assert_unchanged()


CONTEXT_PASSWORDS = [
    "SocialStudio2025!!",
    "S0c1al$tud10-2025!!",
    "Social-Studio-Summer-2025",
    "\uff33\uff4f\uff43\uff49\uff41\uff4c\uff33\uff54\uff55\uff44\uff49\uff4f2025!!",
    "Example-Company-2025!!",
    "TikTokStudio!!2025xx",
    "staff.staff.2025.staff!",
    "Staff@Example2025!!",
]


@pytest.mark.parametrize("password", CONTEXT_PASSWORDS)
def test_password_built_from_context_words_is_refused(app: Flask, users, password: str) -> None:
    client = _signed_in(app, users["staff"], STAFF_PASSWORD)
    before = Snapshot(app)
    token = csrf_token(client, "/auth/password")
    answer = client.post(
        "/auth/password", data={"current": STAFF_PASSWORD, "new": password, "csrf_token": token}
    )
    assert answer.status_code == 400
    assert "is built from the name of this service, the company or your e-mail" in (
        answer.get_data(as_text=True)
    )
    before.assert_unchanged()


def _lockable(make_app) -> Flask:
    app = make_app(
        LOGIN_RATE_LIMIT_IP="100 per minute", LOGIN_RATE_LIMIT_ACCOUNT="5 per 15 minutes"
    )
    make_user(app, "admin@example.com", ADMIN_PASSWORD, Role.ADMIN)
    make_user(app, "staff@example.com", STAFF_PASSWORD, Role.STAFF)
    return app


def _hammer(app: Flask, email: str, tries: int, client: FlaskClient | None = None) -> list[int]:
    answers = []
    for n in range(tries):
        bot = client or app.test_client()
        address = {"REMOTE_ADDR": f"203.0.113.{n + 1}"}
        answers.append(_login(bot, email, WRONG, environ_base=address).status_code)
    return answers


def test_a_stranger_cannot_lock_the_owner_out(make_app) -> None:
    app = _lockable(make_app)
    # The owner's first sign-in (no device cookie yet) counts in the account's bucket too.
    owner = _signed_in(app, "admin@example.com", ADMIN_PASSWORD)  # gets its device cookie
    owner.post("/auth/logout", data={"csrf_token": csrf_token(owner, "/dashboard/")})
    assert _hammer(app, "admin@example.com", 5) == [401] * 4 + [429]
    back = _login(owner, "admin@example.com", ADMIN_PASSWORD, environ_base=OWNER)
    assert back.status_code == 302 and back.headers["Location"] == "/dashboard/"


FOREIGN_DEVICE_COOKIES = ["signed with another key", "issued for another account", "garbage"]


@pytest.mark.parametrize("cookie", FOREIGN_DEVICE_COOKIES)
def test_stuffing_is_still_limited_whatever_device_cookie(make_app, cookie: str) -> None:
    app = _lockable(make_app)
    bot = app.test_client()
    if cookie == "issued for another account":
        _login(bot, "staff@example.com", STAFF_PASSWORD)  # the attacker's own account
        bot.post("/auth/logout", data={"csrf_token": csrf_token(bot, "/dashboard/")})
    elif cookie == "signed with another key":
        forged = URLSafeTimedSerializer("guessed-key", salt="studio.device-cookie")
        bot.set_cookie("studio_device", forged.dumps({"a": "0" * 32, "n": "x"}))
    else:
        bot.set_cookie("studio_device", "not.a.cookie")
    assert _hammer(app, "admin@example.com", 5, bot) == [401] * 5
    blocked = _login(bot, "admin@example.com", ADMIN_PASSWORD)
    assert blocked.status_code == 429
    assert count(app, LoginSession) == 0


def test_a_stolen_device_cookie_gives_only_its_own_five_tries(make_app) -> None:
    app = _lockable(make_app)
    owner = _signed_in(app, "admin@example.com", ADMIN_PASSWORD)
    owner.post("/auth/logout", data={"csrf_token": csrf_token(owner, "/dashboard/")})
    thief = app.test_client()
    thief.set_cookie("studio_device", owner.get_cookie("studio_device").value)
    assert _hammer(app, "admin@example.com", 6, thief) == [401] * 5 + [429]


def test_production_session_cookie_is_host_prefixed(make_app) -> None:
    app = make_app(
        ENV="production",
        TRUSTED_HOSTS=["studio.example.com"],
        TIKTOK_CLIENT_SECRET="a-real-client-secret-for-production",
        PUBLIC_URL="https://studio.example.com",
    )
    make_user(app, "admin@example.com", ADMIN_PASSWORD, Role.ADMIN)
    client = app.test_client()
    site = {
        "base_url": "https://studio.example.com",
        "headers": {"Referer": "https://studio.example.com/auth/login"},
    }
    page = client.get("/auth/login", **site)
    token = extract_csrf(page.get_data(as_text=True))
    answer = client.post(
        "/auth/login",
        data={"email": "admin@example.com", "password": ADMIN_PASSWORD, "csrf_token": token},
        **site,
    )
    assert answer.status_code == 302
    cookies = {c.split("=", 1)[0]: c for c in answer.headers.getlist("Set-Cookie")}
    assert set(cookies) == {"__Host-session", "__Host-studio_device"}
    for header in cookies.values():
        attributes = [a.strip().lower() for a in header.split(";")[1:]]
        assert "secure" in attributes and "path=/" in attributes and "httponly" in attributes
        assert not any(a.startswith("domain=") for a in attributes)
    assert client.get("/dashboard/", **site).status_code == 200


HELD_BACK = [
    "/dashboard/",
    "/videos/",
    "/posts/",
    "/audit/",
    "/auth/two-factor/setup",
    "/auth/email",
]


def test_a_one_time_password_opens_nothing_but_the_password_change(app: Flask) -> None:
    from studio.auth import services

    one_time = "plum-cactus-lantern-voyage"
    with app.app_context():
        services.create_user(db.session, "new@example.com", one_time, Role.ADMIN, one_time=True)
    client = app.test_client()
    assert _login(client, "new@example.com", one_time).headers["Location"] == "/auth/password"
    token = csrf_token(client, "/auth/password")
    before = Snapshot(app)
    for url in HELD_BACK:
        answer = client.get(url)
        assert (answer.status_code, answer.headers.get("Location")) == (302, "/auth/password")
    for url in ("/tiktok/connect", "/staff/"):
        answer = client.post(
            url, data={"csrf_token": token, "email": "x@example.com", "role": "admin"}
        )
        assert (answer.status_code, answer.headers.get("Location")) == (302, "/auth/password")
    before.assert_unchanged()
