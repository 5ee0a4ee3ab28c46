"""Google OAuth: consent page, PKCE, exact redirect, single-use codes, refresh, revoke."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests

from tests.sandbox.youtube.support import (
    CLIENT_ID,
    REDIRECT,
    SCOPES,
    UPLOAD,
    Google,
    challenge,
)


def _auth_url(yt: Google, **overrides: str) -> str:
    params = {
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT,
        "response_type": "code",
        "scope": SCOPES,
        "state": "xyz",
        "access_type": "offline",
        "code_challenge": challenge(),
        "code_challenge_method": "S256",
        **overrides,
    }
    return f"{yt.url}/google/o/oauth2/v2/auth?{urlencode(params)}"


def _callback(resp: requests.Response) -> dict[str, str]:
    assert resp.status_code == 302, resp.text
    location = resp.headers["Location"]
    assert location.startswith(REDIRECT + "?")
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def test_consent_page_allow_with_one_scope_unticked(yt: Google) -> None:
    page = yt.http.get(_auth_url(yt))
    assert page.status_code == 200 and "<script" not in page.text
    assert 'value="second"' in page.text and "@acmelabs" in page.text
    hidden = dict(re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', page.text))
    form = {**hidden, "channel": "second", "decision": "allow"}
    form["granted"] = "https://www.googleapis.com/auth/youtube.upload"
    resp = yt.http.post(f"{yt.url}/google/o/oauth2/v2/auth", data=form, allow_redirects=False)
    query = _callback(resp)
    assert query["state"] == "xyz" and query["code"].startswith("4/0A")
    assert query["scope"] == "https://www.googleapis.com/auth/youtube.upload"
    assert "%2F" in resp.headers["Location"]  # the code's slash is encoded exactly once
    tokens = yt.exchange(query["code"]).json()
    assert tokens["scope"] == query["scope"] and tokens["refresh_token"].startswith("1//")
    channels = yt.get("/youtube/v3/channels", tokens["access_token"], part="snippet", mine="true")
    assert channels.status_code == 403  # youtube.upload alone cannot read the channel


def test_consent_deny_redirects_access_denied(yt: Google) -> None:
    page = yt.http.get(_auth_url(yt))
    hidden = dict(re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', page.text))
    resp = yt.http.post(
        f"{yt.url}/google/o/oauth2/v2/auth",
        data={**hidden, "decision": "deny"},
        allow_redirects=False,
    )
    assert _callback(resp) == {"error": "access_denied", "state": "xyz"}


@pytest.mark.parametrize(
    ("override", "text"),
    [
        ({"redirect_uri": REDIRECT + "/"}, "redirect_uri_mismatch"),
        ({"client_id": "someone-else"}, "invalid_client"),
        ({"scope": "https://www.googleapis.com/auth/youtube"}, "invalid_scope"),
        ({"scope": SCOPES.replace(" ", ",")}, "invalid_scope"),
        ({"scope": "youtube.upload"}, "invalid_scope"),
        ({"client_secret": "x"}, "invalid_request"),
        ({"prompt": "none consent"}, "invalid_request"),
    ],
)
def test_request_errors_are_pages_never_redirects(
    yt: Google, override: dict[str, str], text: str
) -> None:
    resp = yt.http.get(_auth_url(yt, **override), allow_redirects=False)
    assert resp.status_code == 400 and "Location" not in resp.headers and text in resp.text


@pytest.mark.parametrize(
    "override",
    [
        {"code_challenge": "", "code_challenge_method": ""},
        {"code_challenge_method": "plain"},
        {"code_challenge": "ab" * 32},  # hex, TikTok-style: not base64url of 43 characters
        {"state": ""},
    ],
)
def test_pkce_and_state_are_required(yt: Google, override: dict[str, str]) -> None:
    query = _callback(yt.http.get(_auth_url(yt, **override), allow_redirects=False))
    assert query["error"] == "invalid_request"


def test_pkce_mismatch_and_missing_verifier(yt: Google) -> None:
    code = yt.authorize()["code"]
    wrong = yt.exchange(code, verifier="W" * 43)
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
    assert wrong.headers["Cache-Control"].startswith("no-cache, no-store")
    code = yt.authorize()["code"]
    missing = yt.token(grant_type="authorization_code", code=code, redirect_uri=REDIRECT)
    assert missing.json() == {
        "error": "invalid_grant",
        "error_description": "Missing code verifier.",
    }


def test_wrong_redirect_uri_at_exchange(yt: Google) -> None:
    code = yt.authorize()["code"]
    resp = yt.token(
        grant_type="authorization_code",
        code=code,
        redirect_uri=REDIRECT + "/",
        code_verifier="Verifier-0123456789_abcdefghijklmnopqrstuvwxyz~.",
    )
    assert resp.status_code == 400 and resp.json()["error"] == "redirect_uri_mismatch"


def test_code_reuse_fails_and_revokes_what_it_gave(yt: Google) -> None:
    code = yt.authorize()["code"]
    first = yt.exchange(code).json()
    again = yt.exchange(code)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    assert yt.refresh(first["refresh_token"]).json()["error"] == "invalid_grant"
    me = yt.get("/youtube/v3/channels", first["access_token"], part="snippet", mine="true")
    assert me.status_code == 401  # the grant is gone, its access tokens with it


def test_wrong_client_secret_and_basic_auth(yt: Google) -> None:
    code = yt.authorize()["code"]
    bad = yt.http.post(
        f"{yt.url}/google/token",
        data={"client_id": CLIENT_ID, "client_secret": "nope", "grant_type": "refresh_token"},
    )
    assert bad.status_code == 401 and bad.json()["error"] == "invalid_client"
    basic = yt.http.post(
        f"{yt.url}/google/token",
        auth=(CLIENT_ID, "sandbox-google-client-secret"),
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "code_verifier": "Verifier-0123456789_abcdefghijklmnopqrstuvwxyz~.",
        },
    )
    assert basic.status_code == 200 and basic.json()["expires_in"] == 3599


def test_refresh_token_only_first_time_or_with_prompt_consent(yt: Google) -> None:
    assert "refresh_token" in yt.login()
    assert "refresh_token" not in yt.login()  # a later plain sign-in gets none
    assert "refresh_token" in yt.login(prompt="consent")
    assert "refresh_token" not in yt.login(channel="second", access_type="online")


def test_refresh_keeps_the_token_unless_configured(yt: Google) -> None:
    tokens = yt.login()
    plain = yt.refresh(tokens["refresh_token"]).json()
    assert set(plain) == {"access_token", "expires_in", "scope", "token_type"}
    yt.state.configure(new_refresh_every=2)
    newer = yt.refresh(tokens["refresh_token"]).json()
    assert newer["refresh_token"] != tokens["refresh_token"]
    old = yt.refresh(tokens["refresh_token"])
    assert old.status_code == 400 and old.json()["error"] == "invalid_grant"
    assert yt.refresh(newer["refresh_token"]).status_code == 200


def test_testing_mode_refresh_token_dies_after_seven_days(yt: Google) -> None:
    yt.state.configure(testing_mode=True)
    tokens = yt.login()
    body = yt.refresh(tokens["refresh_token"]).json()
    assert 0 < body["refresh_token_expires_in"] <= 7 * 86400
    yt.control("advance", {"seconds": 7 * 86400 - 60})
    assert yt.refresh(tokens["refresh_token"]).status_code == 200
    yt.control("advance", {"seconds": 61})
    dead = yt.refresh(tokens["refresh_token"])
    assert dead.json() == {
        "error": "invalid_grant",
        "error_description": "Token has been expired or revoked.",
    }
    assert yt.state.summary()["counters"]["testing_expired"] == 1


def test_expired_access_token_is_401_with_www_authenticate(yt: Google) -> None:
    tokens = yt.login()
    yt.control("advance", {"seconds": 3600})
    resp = yt.get("/youtube/v3/channels", tokens["access_token"], part="snippet", mine="true")
    assert resp.status_code == 401 and resp.json()["error"]["errors"][0]["reason"] == "authError"
    assert 'error="invalid_token"' in resp.headers["WWW-Authenticate"]


def test_revoke_access_token_ends_the_grant(yt: Google) -> None:
    tokens = yt.login()
    resp = yt.http.post(f"{yt.url}/google/revoke", data={"token": tokens["access_token"]})
    assert resp.status_code == 200 and resp.json() == {}
    assert yt.refresh(tokens["refresh_token"]).json()["error"] == "invalid_grant"
    again = yt.http.post(f"{yt.url}/google/revoke", data={"token": tokens["refresh_token"]})
    assert again.status_code == 400 and again.json()["error"] == "invalid_token"
    assert "refresh_token" in yt.login()  # after a revoke, consent gives a refresh token again


def test_revoke_by_refresh_token_and_wrong_forms(yt: Google) -> None:
    tokens = yt.login()
    assert yt.http.get(f"{yt.url}/google/revoke").status_code == 404
    in_url = yt.http.post(f"{yt.url}/google/revoke?token={tokens['refresh_token']}")
    assert in_url.status_code == 400
    ok = yt.http.post(f"{yt.url}/google/revoke", data={"token": tokens["refresh_token"]})
    assert ok.status_code == 200
    upload = yt.start(tokens["access_token"], 10)
    assert upload.status_code == 401 and UPLOAD.startswith("/google/upload")
