"""Login Kit: consent page, code exchange, PKCE, replay, rotation and revoke."""

from __future__ import annotations

import hashlib
import re
from urllib.parse import parse_qs, urlencode, urlsplit

import requests

from tests.sandbox.support import ALL_SCOPES, REDIRECT, TikTok

VERIFIER = "v" * 20 + "-._~" + "A1b2C3d4E5f6G7h8I9j0K"


def _authorize_url(tt: TikTok, **overrides: str) -> str:
    params = {
        "client_key": "sandbox-client-key",
        "response_type": "code",
        "scope": "user.info.basic,video.upload",
        "redirect_uri": REDIRECT,
        "state": "xyz",
        **overrides,
    }
    return f"{tt.url}/v2/auth/authorize/?{urlencode(params)}"


def _callback(resp: requests.Response) -> dict[str, str]:
    assert resp.status_code == 302
    location = resp.headers["Location"]
    assert location.startswith(REDIRECT + "?")
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def test_consent_page_approve_with_unticked_scope(tt: TikTok) -> None:
    page = tt.http.get(_authorize_url(tt))
    assert page.status_code == 200
    assert "<script" not in page.text and 'value="quiet"' in page.text
    hidden = dict(re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', page.text))
    form = {**hidden, "creator": "quiet", "decision": "approve"}
    resp = tt.http.post(f"{tt.url}/v2/auth/authorize/decision", data=form, allow_redirects=False)
    query = _callback(resp)
    assert query["scopes"] == "user.info.basic" and query["state"] == "xyz"
    assert "%2A" in resp.headers["Location"] and "*" in query["code"] and "!" in query["code"]
    tokens = tt.token(
        grant_type="authorization_code", code=query["code"], redirect_uri=REDIRECT
    ).json()
    assert tokens["open_id"].startswith("sbx-") and tokens["scope"] == "user.info.basic"


def test_consent_deny_redirects_access_denied(tt: TikTok) -> None:
    form = {
        "client_key": "sandbox-client-key",
        "response_type": "code",
        "scope": "video.upload",
        "redirect_uri": REDIRECT,
        "state": "s9",
        "decision": "deny",
    }
    query = _callback(
        tt.http.post(f"{tt.url}/v2/auth/authorize/", data=form, allow_redirects=False)
    )
    assert query["error"] == "access_denied" and query["state"] == "s9"


def test_unregistered_redirect_uri_is_an_error_page(tt: TikTok) -> None:
    resp = tt.http.get(_authorize_url(tt, redirect_uri=REDIRECT + "/evil"), allow_redirects=False)
    assert resp.status_code == 400 and "Location" not in resp.headers


def test_unknown_scope_redirects_invalid_scope(tt: TikTok) -> None:
    query = _callback(
        tt.http.get(_authorize_url(tt, scope="user.info.basic,video.delete"), allow_redirects=False)
    )
    assert query["error"] == "invalid_scope" and query["state"] == "xyz"


def test_token_success_shape_and_lifetimes(tt: TikTok) -> None:
    body = tt.login()
    assert set(body) == {
        "access_token",
        "expires_in",
        "open_id",
        "refresh_expires_in",
        "refresh_token",
        "scope",
        "token_type",
    }
    assert body["access_token"].startswith("act.") and body["refresh_token"].startswith("rft.")
    assert body["expires_in"] == 7200 and 15_552_000 - 5 <= body["refresh_expires_in"]
    assert body["token_type"] == "Bearer" and body["scope"] == ALL_SCOPES


def test_token_endpoint_rejects_json(tt: TikTok) -> None:
    resp = tt.http.post(f"{tt.url}/v2/oauth/token/", json={"grant_type": "refresh_token"})
    assert resp.status_code == 200 and resp.json()["error"] == "invalid_request"
    assert len(resp.json()["log_id"]) == 32


def test_code_replay_fails_and_revokes_issued_tokens(tt: TikTok) -> None:
    code = tt.authorize()["code"]
    first = tt.token(grant_type="authorization_code", code=code, redirect_uri=REDIRECT).json()
    replay = tt.token(grant_type="authorization_code", code=code, redirect_uri=REDIRECT).json()
    assert replay["error"] == "invalid_grant"
    info = tt.api("/v2/user/info/?fields=open_id", first["access_token"], method="GET")
    assert info.status_code == 401 and info.json()["error"]["code"] == "access_token_invalid"
    again = tt.token(grant_type="refresh_token", refresh_token=first["refresh_token"]).json()
    assert again["error"] == "invalid_grant"


def test_revoking_one_token_disconnects_the_app_from_the_user(tt: TikTok) -> None:
    connection = tt.login()
    verification = tt.login(scope="user.info.basic")  # a second consent by the same user
    other = tt.login(creator="quiet")
    resp = tt.revoke(verification["access_token"])
    assert resp.status_code == 200
    for tokens in (connection, verification):
        info = tt.api("/v2/user/info/?fields=open_id", tokens["access_token"], method="GET")
        assert info.status_code == 401
    kept = tt.api("/v2/user/info/?fields=open_id", other["access_token"], method="GET")
    assert kept.status_code == 200  # another user's connection is untouched


def test_pkce_wrong_verifier_then_right_one(tt: TikTok) -> None:
    code = tt.authorize(verifier=VERIFIER)["code"]
    wrong = tt.token(
        grant_type="authorization_code",
        code=code,
        redirect_uri=REDIRECT,
        code_verifier=VERIFIER[::-1],
    ).json()
    assert wrong["error"] == "invalid_grant"
    ok = tt.token(
        grant_type="authorization_code", code=code, redirect_uri=REDIRECT, code_verifier=VERIFIER
    ).json()
    assert "access_token" in ok


def test_pkce_challenge_must_be_hex_sha256(tt: TikTok) -> None:
    import base64

    b64 = base64.urlsafe_b64encode(hashlib.sha256(VERIFIER.encode()).digest()).decode()
    query = tt.authorize(code_challenge=b64.rstrip("="), code_challenge_method="S256")
    assert query["error"] == "invalid_request"


def test_redirect_uri_mismatch(tt: TikTok) -> None:
    code = tt.authorize()["code"]
    resp = tt.token(grant_type="authorization_code", code=code, redirect_uri=REDIRECT + "/x")
    body = resp.json()
    assert body["error"] == "invalid_request" and "Redirect_uri" in body["error_description"]


def test_wrong_client_secret(tt: TikTok) -> None:
    code = tt.authorize()["code"]
    resp = tt.http.post(
        f"{tt.url}/v2/oauth/token/",
        data={
            "client_key": "sandbox-client-key",
            "client_secret": "nope",
            "code": code,
            "grant_type": "authorization_code",
            "redirect_uri": REDIRECT,
        },
    )
    assert resp.json()["error"] == "invalid_client"


def test_expired_code(tt: TikTok) -> None:
    tt.server.configure(code_ttl=-1)
    code = tt.authorize()["code"]
    resp = tt.token(grant_type="authorization_code", code=code, redirect_uri=REDIRECT)
    assert resp.json()["error"] == "invalid_grant"


def test_refresh_rotation_is_strict(tt: TikTok) -> None:
    first = tt.login()
    second = tt.token(grant_type="refresh_token", refresh_token=first["refresh_token"]).json()
    assert second["refresh_token"] != first["refresh_token"]
    assert second["refresh_expires_in"] <= first["refresh_expires_in"]
    old = tt.token(grant_type="refresh_token", refresh_token=first["refresh_token"]).json()
    assert old["error"] == "invalid_grant"
    third = tt.token(grant_type="refresh_token", refresh_token=second["refresh_token"]).json()
    assert third["access_token"].startswith("act.")


def test_legacy_profile_keeps_refresh_token(tt: TikTok) -> None:
    tt.server.configure(legacy_profile=True)
    first = tt.login()
    assert first["expires_in"] == 86400 and first["refresh_expires_in"] > 31_535_000
    second = tt.token(grant_type="refresh_token", refresh_token=first["refresh_token"]).json()
    assert second["refresh_token"] == first["refresh_token"]


def test_oauth_error_status_is_configurable(tt: TikTok) -> None:
    tt.server.configure(oauth_error_status=400)
    resp = tt.token(grant_type="refresh_token", refresh_token="rft.nope")
    assert resp.status_code == 400 and resp.json()["error"] == "invalid_grant"


def test_revoke_invalidates_access_and_refresh(tt: TikTok) -> None:
    tokens = tt.login()
    resp = tt.revoke(tokens["access_token"])
    assert resp.status_code == 200 and resp.json() == {}
    info = tt.api("/v2/user/info/?fields=open_id", tokens["access_token"], method="GET")
    assert info.status_code == 401
    refresh = tt.token(grant_type="refresh_token", refresh_token=tokens["refresh_token"])
    assert refresh.json()["error"] == "invalid_grant"
    events = tt.server.state.summary()["webhooks"]
    assert events[-1]["event"] == "authorization.removed" and events[-1]["content"] == {"reason": 5}
