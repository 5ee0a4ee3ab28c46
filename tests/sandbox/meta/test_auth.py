"""Every Graph call: token in the Authorization header only, appsecret_proof, 190 subcodes."""

from __future__ import annotations

import json

from tests.sandbox.meta.support import VERSION, Meta, error


def test_token_in_the_query_string_or_body_is_refused(meta: Meta) -> None:
    token = meta.short_token()
    proof = meta.handle.proof(token)
    url = f"{meta.graph}/me"
    in_query = meta.http.get(url, params={"access_token": token, "appsecret_proof": proof})
    assert in_query.status_code == 400 and error(in_query) == (100, None)
    assert "Authorization header" in in_query.json()["error"]["message"]
    in_body = meta.http.post(
        f"{meta.graph}/17841400000000001/media",
        data={"access_token": token, "appsecret_proof": proof, "media_type": "REELS"},
    )
    assert error(in_body) == (100, None)
    assert meta.call("GET", "me", token).status_code == 200


def test_missing_token_is_104(meta: Meta) -> None:
    assert error(meta.call("GET", "me", None)) == (104, None)


def test_appsecret_proof_missing_or_wrong(meta: Meta) -> None:
    token = meta.short_token()
    missing = meta.call("GET", "me", token, proof=False)
    assert error(missing) == (100, None)
    assert "appsecret_proof" in missing.json()["error"]["message"]
    other = meta.call("GET", "me", token, proof=False, appsecret_proof="0" * 64)
    assert (
        other.json()["error"]["message"] == "Invalid appsecret_proof provided in the API argument"
    )
    meta.handle.configure(require_appsecret_proof=False)
    assert meta.call("GET", "me", token, proof=False).status_code == 200


def test_both_bearer_and_oauth_schemes_work(meta: Meta) -> None:
    token = meta.short_token()
    headers = {"Authorization": f"OAuth {token}"}
    params = {"appsecret_proof": meta.handle.proof(token)}
    assert meta.http.get(f"{meta.graph}/me", headers=headers, params=params).status_code == 200


def test_expired_unknown_and_revoked_tokens(meta: Meta) -> None:
    token = meta.long_token()
    assert error(meta.call("GET", "me", "EAAnotatoken")) == (190, None)
    resp = meta.call("DELETE", "me/permissions", token)
    assert resp.json() == {"success": True}
    revoked = meta.call("GET", "me", token)
    assert error(revoked) == (190, 458) and "WWW-Authenticate" in revoked.headers
    fresh = meta.long_token()
    meta.http.post(f"{meta.server.url}/_sandbox/meta/expire_tokens")
    assert error(meta.call("GET", "me", fresh)) == (190, 463)


def test_revoking_kills_page_tokens_too(meta: Meta) -> None:
    user = meta.long_token()
    page = meta.page_token(user)
    meta.call("DELETE", "me/permissions", user)
    assert error(meta.call("GET", "104000000000001", page)) == (190, 458)


def test_usage_headers_and_user_rate_limit(meta: Meta) -> None:
    token = meta.short_token()
    meta.handle.configure(rate_limit_calls=4)
    first = meta.call("GET", "me", token)
    assert json.loads(first.headers["X-App-Usage"])["call_count"] == 25
    for _ in range(3):
        meta.call("GET", "me", token)
    limited = meta.call("GET", "me", token)
    assert error(limited) == (17, None) and limited.json()["error"]["is_transient"] is True
    assert json.loads(limited.headers["X-App-Usage"])["call_count"] == 100


def test_instagram_calls_report_business_use_case_usage(meta: Meta) -> None:
    token = meta.short_token()
    meta.handle.configure(rate_limit_calls=2)
    ok = meta.call("GET", "17841400000000001/content_publishing_limit", token)
    usage = json.loads(ok.headers["X-Business-Use-Case-Usage"])
    assert usage["17841400000000001"][0]["type"] == "instagram"
    meta.call("GET", "17841400000000001/content_publishing_limit", token)
    over = meta.call("GET", "17841400000000001/content_publishing_limit", token)
    assert error(over) == (80002, None)
    assert (
        json.loads(over.headers["X-Business-Use-Case-Usage"])["17841400000000001"][0][
            "estimated_time_to_regain_access"
        ]
        > 0
    )


def test_unknown_path_and_retired_version(meta: Meta) -> None:
    token = meta.short_token()
    assert error(meta.call("GET", "me/friends/extra", token)) == (2500, None)
    old = meta.http.get(
        f"{meta.handle.graph}/v18.0/me", headers={"Authorization": f"Bearer {token}"}
    )
    assert error(old) == (2500, None)
    assert VERSION in meta.handle.state.config.versions
