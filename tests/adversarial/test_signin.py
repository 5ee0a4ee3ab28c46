"""Credential stuffing, lockouts (sign-in, password change, second factor), session fixation, open
redirects in ``next``."""

from __future__ import annotations

import time
from urllib.parse import urljoin, urlsplit

import pytest
from flask import Flask
from sqlalchemy import select

from studio import db
from studio.auth.models import LoginSession, Role, User
from tests.adversarial.conftest import count
from tests.conftest import make_user
from tests.helpers import ADMIN_PASSWORD, STAFF_PASSWORD, csrf_token

ATTACKER = {"REMOTE_ADDR": "203.0.113.66"}
WRONG = "definitely not the password"


@pytest.fixture
def app(make_app) -> Flask:
    """No sandbox needed; limits loose enough for the loops below (their own tests set them)."""
    return make_app(LOGIN_RATE_LIMIT_IP="1000 per minute", LOGIN_RATE_LIMIT_ACCOUNT="1000/minute")


def _post_login(client, email: str, password: str, token: str, **kw):
    return client.post(
        "/auth/login", data={"email": email, "password": password, "csrf_token": token}, **kw
    )


def test_credential_stuffing_from_one_address_is_cut_off(make_app) -> None:
    app = make_app(LOGIN_RATE_LIMIT_IP="10 per minute", LOGIN_RATE_LIMIT_ACCOUNT="5 per minute")
    make_user(app, "staff@example.com", STAFF_PASSWORD, Role.STAFF)
    bot = app.test_client()
    token = csrf_token(bot, "/auth/login")
    answers = []
    for n in range(10):
        # Spoofed forwarding headers do not give the bot a fresh address (no proxy configured).
        headers = {"X-Forwarded-For": f"198.51.100.{n}", "X-Real-IP": f"198.51.100.{n}"}
        answer = _post_login(
            bot, f"victim{n}@example.com", WRONG, token, environ_base=ATTACKER, headers=headers
        )
        answers.append(answer.status_code)
        assert b"Invalid email or password." in answer.data
    assert answers == [401] * 10
    # The eleventh try, even with a real account's right password, is refused and signs no one in.
    blocked = _post_login(bot, "staff@example.com", STAFF_PASSWORD, token, environ_base=ATTACKER)
    assert blocked.status_code == 429
    assert b"Too many attempts (10 per 1 minute). Wait a little and try again." in blocked.data
    assert count(app, LoginSession) == 0
    assert bot.get("/dashboard/", environ_base=ATTACKER).status_code == 302
    # The limit is the bot's address: staff elsewhere still sign in.
    colleague = app.test_client()
    ok = _post_login(
        colleague, "staff@example.com", STAFF_PASSWORD, csrf_token(colleague, "/auth/login")
    )
    assert ok.status_code == 302 and ok.headers["Location"] == "/dashboard/"


def test_one_account_is_locked_whatever_the_address_or_spelling(make_app) -> None:
    app = make_app(LOGIN_RATE_LIMIT_IP="100 per minute", LOGIN_RATE_LIMIT_ACCOUNT="5 per minute")
    make_user(app, "admin@example.com", ADMIN_PASSWORD, Role.ADMIN)
    spellings = [
        "admin@example.com",
        "ADMIN@example.com",
        " Admin@Example.com ",
        "admin@EXAMPLE.COM",
    ]
    answers = []
    for n in range(5):
        client = app.test_client()
        token = csrf_token(client, "/auth/login")
        address = {"REMOTE_ADDR": f"192.0.2.{n + 1}"}
        answers.append(
            _post_login(client, spellings[n % 4], WRONG, token, environ_base=address).status_code
        )
    assert answers == [401] * 5
    client = app.test_client()
    token = csrf_token(client, "/auth/login")
    locked = _post_login(
        client,
        "Admin@Example.com",
        ADMIN_PASSWORD,
        token,
        environ_base={"REMOTE_ADDR": "192.0.2.99"},
    )
    assert locked.status_code == 429
    assert b"Too many attempts (5 per 1 minute)" in locked.data
    assert count(app, LoginSession) == 0


def test_session_fixation_planted_cookie_gains_nothing(app: Flask, users) -> None:
    attacker = app.test_client()
    planted_token = csrf_token(attacker, "/auth/login")
    planted = attacker.get_cookie("session").value
    victim = app.test_client()
    victim.set_cookie("session", planted)
    signed_in = _post_login(victim, "admin@example.com", ADMIN_PASSWORD, planted_token)
    assert signed_in.status_code == 302
    after = victim.get_cookie("session").value
    assert after != planted
    # The attacker's copy of the pre-login cookie is still anonymous...
    assert attacker.get("/dashboard/").status_code == 302
    # ...and the CSRF token issued before sign-in no longer works for the victim.
    stale = victim.post("/auth/logout", data={"csrf_token": planted_token})
    assert stale.status_code == 400 and b"missing CSRF token" in stale.data
    assert victim.get("/dashboard/").status_code == 200


def test_each_sign_in_gets_a_new_server_side_session(app: Flask, auth, client) -> None:
    auth.login()
    first = client.get_cookie("session").value
    with app.app_context():
        (old,) = db.session.scalars(select(LoginSession.token_hash)).all()
    auth.logout()
    auth.login()
    with app.app_context():
        (new,) = db.session.scalars(select(LoginSession.token_hash)).all()
    assert new != old
    replay = app.test_client()
    replay.set_cookie("session", first)
    assert replay.get("/dashboard/").status_code == 302


REDIRECTS = [
    "https://evil.example/",
    "http://evil.example",
    "//evil.example/x",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\\/evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "http:/evil.example",
    "https:evil.example",
    "/%09/evil.example",
    "%2F%2Fevil.example",
    "%252F%252Fevil.example",
    "/%2F%2Fevil.example",
    "\t//evil.example",
    " //evil.example",
    "/\t/evil.example",
    "/\r\n/evil.example",
    "\uff0f\uff0fevil.example",
    "/\u2215evil.example",
    "\u2044\u2044evil.example",
    "https://evil.example@localhost/",
    "evil.example",
]


def test_next_never_leaves_the_site(auth) -> None:
    for target in REDIRECTS:
        response = auth.login(next_url=target)
        assert response.status_code == 302, target
        location = response.headers["Location"]
        assert "\r" not in location and "\n" not in location
        landed = urlsplit(urljoin("http://localhost/auth/login", location))
        assert landed.scheme == "http" and landed.netloc == "localhost", (target, location)
        assert location == "/dashboard/" or (
            location.startswith("/") and not location.startswith("//")
        ), (target, location)
        auth.logout()


def test_crlf_in_next_injects_no_header(auth) -> None:
    response = auth.login(next_url="/dashboard/%0d%0aSet-Cookie:%20pwned=1")
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard/"
    assert all("pwned" not in v for _, v in response.headers.items())


def test_guessing_the_current_password_behind_a_session_is_limited(make_app) -> None:
    """A borrowed session must not become a password oracle (the change form checks it)."""
    app = make_app(LOGIN_RATE_LIMIT_IP="100 per minute", LOGIN_RATE_LIMIT_ACCOUNT="3 per minute")
    make_user(app, "staff@example.com", STAFF_PASSWORD, Role.STAFF)
    client = app.test_client()
    assert (
        _post_login(
            client, "staff@example.com", STAFF_PASSWORD, csrf_token(client, "/auth/login")
        ).status_code
        == 302
    )
    with app.app_context():
        before = db.session.scalar(select(User.password_hash))
    answers = []
    for guess in (
        "guess one is wrong",
        "guess two is wrong",
        "guess three is wrong",
        STAFF_PASSWORD,
    ):
        token = csrf_token(client, "/auth/password")
        answer = client.post(
            "/auth/password",
            data={"current": guess, "new": "a brand new long passphrase 42", "csrf_token": token},
        )
        answers.append(answer.status_code)
    assert answers == [400, 400, 400, 429]
    assert b"Too many attempts (3 per 1 minute)" in answer.data
    with app.app_context():
        assert db.session.scalar(select(User.password_hash)) == before


def test_guessing_the_second_factor_is_limited_per_account(make_app) -> None:
    import pyotp

    from studio.auth import twofactor

    app = make_app(LOGIN_RATE_LIMIT_IP="100 per minute", LOGIN_RATE_LIMIT_ACCOUNT="3 per minute")
    make_user(app, "admin@example.com", ADMIN_PASSWORD, Role.ADMIN)
    secret = pyotp.random_base32()
    with app.app_context():
        user = db.session.scalar(select(User))
        twofactor.enable_totp(db.session, user, secret, pyotp.TOTP(secret).now())
    bot = app.test_client()
    signed = _post_login(bot, "admin@example.com", ADMIN_PASSWORD, csrf_token(bot, "/auth/login"))
    assert signed.headers["Location"] == "/auth/two-factor"
    totp = pyotp.TOTP(secret)
    valid = {totp.at(time.time() + step * totp.interval) for step in (-1, 0, 1)}
    guesses = [c for c in (f"{i:06d}" for i in range(10)) if c not in valid][:4]
    answers = []
    for n, guess in enumerate(guesses):  # every guess from a fresh address
        token = csrf_token(bot, "/auth/two-factor")
        answer = bot.post(
            "/auth/two-factor",
            data={"code": guess, "csrf_token": token},
            environ_base={"REMOTE_ADDR": f"198.51.100.{n + 1}"},
        )
        answers.append(answer.status_code)
    assert answers == [401, 401, 401, 429]
    assert count(app, LoginSession) == 0


def test_tampered_or_forged_cookies_sign_no_one_in(app: Flask, auth, client) -> None:
    from flask.sessions import SecureCookieSessionInterface

    auth.login()
    real = client.get_cookie("session").value
    with app.app_context():
        (token_hash,) = db.session.scalars(select(LoginSession.token_hash)).all()
    # A cookie naming a session, signed with a guessed key instead of ours.
    stranger = Flask("forger")
    stranger.config["SECRET_KEY"] = "a-guessed-secret-key-" + "y" * 32
    forged = SecureCookieSessionInterface().get_signing_serializer(stranger)
    flipped = real[:-3] + ("A" if real[-3] != "A" else "B") + real[-2:]
    cookies = {
        "one character flipped": flipped,
        "signed with another key": forged.dumps({"_user_id": token_hash, "_fresh": True}),
        "signature removed": real.split(".")[0] + ".x.y",
        "empty": "",
    }
    for name, value in cookies.items():
        visitor = app.test_client()
        visitor.set_cookie("session", value)
        visitor.set_cookie("remember_token", "1|" + "0" * 128)  # a forged remember-me too
        answer = visitor.get("/dashboard/")
        assert answer.status_code == 302, name
        assert answer.headers["Location"].startswith("/auth/login"), name
