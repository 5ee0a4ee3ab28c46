"""OAuth state and code attacks, and attacks on deletion requests (guessing, someone else's
account, mass filing)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from studio import db
from studio.auth.models import Role
from studio.platforms.models import Account, AccountStatus
from studio.privacy.models import DeletionRequest, RequestStatus
from studio.sandbox.server import SandboxServer
from tests.adversarial.conftest import VOLATILE, Snapshot, count, injected
from tests.conftest import AuthActions, make_user
from tests.helpers import csrf_token
from tests.privacy.conftest import file_request, verify_with_tiktok

NOT_OURS = "This answer from TikTok does not belong to a sign-in started in this browser session"


def _authorize(client: FlaskClient, sandbox: SandboxServer, decision: str = "approve") -> str:
    """Start connecting and let the sandbox answer; returns our callback's path and query."""
    started = client.post("/tiktok/connect", data={"csrf_token": csrf_token(client, "/tiktok/")})
    assert started.status_code == 303
    params = dict(parse_qsl(urlsplit(started.headers["Location"]).query))
    with requests.Session() as http:
        http.trust_env = False
        answer = http.post(
            sandbox.url + "/_sandbox/authorize",
            json={**params, "creator": "acme", "decision": decision},
            timeout=10,
        )
    callback = urlsplit(answer.json()["redirect_url"])
    return f"{callback.path}?{callback.query}"


def _query(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query))


def _accounts(app: Flask) -> int:
    return count(app, Account)


def test_callback_without_state_is_refused(app: Flask, sandbox, sandbox_client) -> None:
    url = _authorize(sandbox_client, sandbox)
    code = _query(url)["code"]
    response = sandbox_client.get("/tiktok/callback?" + urlencode({"code": code}))
    assert response.status_code == 400
    assert b"The answer from TikTok had no state." in response.data
    assert _accounts(app) == 0


def test_replayed_callback_is_refused(app: Flask, sandbox, sandbox_client) -> None:
    url = _authorize(sandbox_client, sandbox)
    cookie = sandbox_client.get_cookie("session").value
    assert sandbox_client.get(url).status_code == 302
    sandbox_client.set_cookie("session", cookie)  # the browser state from before the callback
    replay = sandbox_client.get(url)
    assert replay.status_code == 400
    assert b"This authorization was already completed or abandoned." in replay.data
    assert _accounts(app) == 1


def test_state_of_another_admins_sign_in_is_refused(app: Flask, sandbox, sandbox_client) -> None:
    url = _authorize(sandbox_client, sandbox)  # the victim admin's pending authorization
    make_user(app, "mallory@example.com", "mallory's long and unguessable passphrase", Role.ADMIN)
    mallory = app.test_client()
    AuthActions(app, mallory).login(
        "mallory@example.com", "mallory's long and unguessable passphrase"
    )
    stolen = mallory.get(url)
    assert stolen.status_code == 400
    assert NOT_OURS.encode() in stolen.data
    assert _accounts(app) == 0
    # The refused attempt did not use the flow up: the admin who started it still finishes it.
    assert sandbox_client.get(url).status_code == 302
    assert _accounts(app) == 1


def test_authorization_code_replay_is_refused_by_tiktok(
    app: Flask, sandbox, sandbox_client
) -> None:
    first = _authorize(sandbox_client, sandbox)
    assert sandbox_client.get(first).status_code == 302
    second = _authorize(sandbox_client, sandbox)
    replayed = {**_query(second), "code": _query(first)["code"]}
    response = sandbox_client.get("/tiktok/callback?" + urlencode(replayed))
    assert response.status_code == 400
    assert b"TikTok refused the authorization code (expired or already used)." in response.data
    assert b"Nothing was stored." in response.data
    assert _accounts(app) == 1


def test_denied_consent_connects_nothing(app: Flask, sandbox, sandbox_client) -> None:
    url = _authorize(sandbox_client, sandbox, decision="deny")
    assert _query(url)["error"] == "access_denied"
    response = sandbox_client.get(url)
    assert response.status_code == 303
    assert b"You cancelled: nothing was connected." in sandbox_client.get("/tiktok/").data
    assert _accounts(app) == 0


def test_forged_error_callback_shows_the_text_only(app: Flask, sandbox, sandbox_client) -> None:
    url = _authorize(sandbox_client, sandbox)
    forged = {
        "state": _query(url)["state"],
        "error": '<script id="xss-err">1</script>',
        "error_description": '"><img src=x onerror=alert(1) id="xss-desc">',
    }
    response = sandbox_client.get("/tiktok/callback?" + urlencode(forged))
    assert response.status_code == 400
    assert injected(response.get_data(as_text=True)) == []
    assert b"&lt;script id=&#34;xss-err&#34;&gt;" in response.data
    assert _accounts(app) == 0


# Deletion requests ------------------------------------------------------------------------------


def test_guessed_status_codes_are_rate_limited_and_indistinguishable(make_app) -> None:
    app = make_app(DELETION_STATUS_RATE_LIMIT="4 per minute", PUBLIC_FORM_RATE_LIMIT="10/minute")
    requester = app.test_client()
    code, _page = file_request(requester, "Acme Studio")
    near_miss = code[:-1] + ("A" if code[-1] != "A" else "B")
    guesser = app.test_client()
    never = guesser.get("/data-deletion/status/" + "Z" * 24)
    wrong = guesser.get("/data-deletion/status/" + near_miss)
    assert never.status_code == wrong.status_code == 404
    assert never.data == wrong.data
    assert b"No request matches this confirmation code." in never.data
    answers = [guesser.get(f"/data-deletion/status/{'Q' * 23}{c}").status_code for c in "ABCD"]
    assert answers == [404, 404, 429, 429]
    limited = guesser.get("/data-deletion/status/" + code)  # even the right code now waits
    assert limited.status_code == 429
    assert b"Too many attempts (4 per 1 minute). Wait a little and try again." in limited.data


def test_the_lookup_form_gives_no_hint_either(client: FlaskClient) -> None:
    token = csrf_token(client, "/data-deletion/status")
    for guess in ("ABCD EFGH", "' OR 1=1 --", "x\r\nLocation: https://evil.example"):
        answer = client.post("/data-deletion/status", data={"csrf_token": token, "code": guess})
        assert answer.status_code == 303
        location = answer.headers["Location"]
        assert location.startswith("/data-deletion/status/") and "\n" not in location
        assert "evil" not in urlsplit(location).netloc


def test_deletion_for_someone_elses_account_is_not_verified(
    app: Flask, client: FlaskClient, sandbox, connected_account
) -> None:
    file_request(client, "Acme Studio")  # the victim's account, named by the attacker...
    before = Snapshot(app, ignore=VOLATILE | {"oauth_flows"})  # the flow is marked used
    answer = verify_with_tiktok(client, sandbox, creator="quiet")  # ...who signs in as himself
    assert answer.status_code == 403
    assert b"The TikTok account you signed in with is not the account named" in answer.data
    before.assert_unchanged()
    with app.app_context():
        req = db.session.scalar(select(DeletionRequest))
        assert req.status == RequestStatus.RECEIVED and req.account_id is None
    assert client.get("/data-deletion/verified").status_code == 403


def test_a_lookalike_display_name_only_reaches_the_signer_s_own_data(
    app: Flask, client: FlaskClient, sandbox, connected_account
) -> None:
    """Display names are not unique: an attacker renamed to the victim's name is verified, but
    for the account TikTok says signed in, so the victim's connection and data stay."""
    sandbox.configure(display_names={"quiet": "Acme Studio"})
    file_request(client, "Acme Studio")
    answer = verify_with_tiktok(client, sandbox, creator="quiet")
    assert answer.status_code == 303
    token = csrf_token(client, "/data-deletion/verified")
    assert client.post("/data-deletion/confirm", data={"csrf_token": token}).status_code == 303
    with app.app_context():
        req = db.session.scalar(select(DeletionRequest))
        assert req.account_id is None  # not the connected "acme" account
        victim = db.session.get(Account, connected_account.id)
        assert victim.status == AccountStatus.CONNECTED and victim.data_key
    assert sandbox.state.summary()["counters"].get("revokes", 0) >= 1  # the attacker's own token


def test_mass_filing_stops_at_the_limit(make_app) -> None:
    app = make_app(PUBLIC_FORM_RATE_LIMIT="5 per minute;30 per hour")
    bot = app.test_client()
    token = csrf_token(bot, "/data-deletion")
    answers = []
    for n in range(8):
        answer = bot.post(
            "/data-deletion", data={"csrf_token": token, "kind": "tiktok", "name": f"victim {n}"}
        )
        answers.append(answer.status_code)
    assert answers == [303] * 5 + [429] * 3
    assert b"Too many attempts (5 per 1 minute). Wait a little and try again." in answer.data
    assert count(app, DeletionRequest) == 5


REQUEST_FIELDS = {
    "name_too_long": (
        {"kind": "tiktok", "name": "x" * 256},
        400,
        "Field cannot be longer than 255",
    ),
    "email_too_long": ({"kind": "email", "email": "a" * 250 + "@x.io"}, 400, "longer than 254"),
    "email_with_nul": ({"kind": "email", "email": "a\x00b@example.com"}, 400, "invisible NUL"),
    "name_with_nul": ({"kind": "tiktok", "name": "Acme\x00Studio"}, 400, "invisible NUL"),
    "email_header_injection": (
        {"kind": "email", "email": "a@example.com\r\nBcc: everyone@example.com"},
        400,
        "valid e-mail",
    ),
    "unknown_kind": ({"kind": "everything", "name": "x"}, 400, "Not a valid choice."),
    "empty_name": ({"kind": "tiktok", "name": "   "}, 400, "Enter the display name"),
}


@pytest.mark.parametrize("case", sorted(REQUEST_FIELDS))
def test_bad_request_fields_are_refused_with_the_reason(
    app: Flask, client: FlaskClient, case: str
) -> None:
    data, status, message = REQUEST_FIELDS[case]
    token = csrf_token(client, "/data-deletion")
    before = Snapshot(app)
    answer = client.post("/data-deletion", data={"csrf_token": token, **data})
    assert answer.status_code == status
    assert message in answer.get_data(as_text=True)
    before.assert_unchanged()
    assert not (Path(app.instance_path) / "outbox").exists()


def test_guessing_states_at_the_callback_is_limited(make_sandbox_app, users) -> None:
    app = make_sandbox_app(
        TIKTOK_CALLBACK_RATE_LIMIT="5 per minute",
    )
    client = app.test_client()
    AuthActions(app, client).login()
    answers = [client.get(f"/tiktok/callback?code=c&state=guess-{n}").status_code for n in range(7)]
    assert answers == [400] * 5 + [429] * 2
    assert _accounts(app) == 0
