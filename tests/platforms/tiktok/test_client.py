"""TikTokClient over real HTTP against the sandbox: typed results, typed errors, the hook."""

from __future__ import annotations

import os
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests

from studio.platforms.tiktok import errors as e
from studio.platforms.tiktok.client import TikTokClient, TokenSet
from studio.platforms.tiktok.oauth import pkce_pair
from studio.sandbox.server import SandboxServer
from studio.transport import Exchange

REDIRECT = "http://localhost/tiktok/callback"
SCOPES = ["user.info.basic", "video.upload", "video.publish"]


@pytest.fixture
def seen() -> list[Exchange]:
    return []


@pytest.fixture
def tk(sandbox: SandboxServer, seen: list[Exchange]) -> TikTokClient:
    return TikTokClient(
        "sandbox-client-key",
        "sandbox-client-secret",
        sandbox.url,
        sandbox.url + "/v2/auth/authorize/",
        5.0,
        hook=seen.append,
    )


def authorize(tk: TikTokClient, sandbox: SandboxServer, http, scopes=SCOPES, creator="acme"):
    """Consent through the sandbox; returns (code, verifier)."""
    verifier, challenge = pkce_pair()
    url = tk.authorize_url(REDIRECT, scopes, "state-1", challenge)
    params = dict(parse_qsl(urlsplit(url).query))
    answer = http.post(sandbox.url + "/_sandbox/authorize", json={**params, "creator": creator})
    callback = dict(parse_qsl(urlsplit(answer.json()["redirect_url"]).query))
    assert callback["state"] == "state-1"
    return callback["code"], verifier


def tokens(tk, sandbox, http, **kw) -> TokenSet:
    code, verifier = authorize(tk, sandbox, http, **kw)
    return tk.exchange_code(code, REDIRECT, verifier)


def fail_next(http, sandbox, endpoint, kind, count=1, seconds=None):
    rule = {"endpoint": endpoint, "count": count, "kind": kind}
    if seconds is not None:
        rule["seconds"] = seconds
    http.post(sandbox.url + "/_sandbox/faults", json={"fail_next": [rule]}).raise_for_status()


def test_authorize_url_uses_tiktok_names(tk):
    url = tk.authorize_url(REDIRECT, ["user.info.basic", "video.upload"], "s", "ab" * 32)
    params = dict(parse_qsl(urlsplit(url).query))
    assert params == {
        "client_key": "sandbox-client-key",
        "response_type": "code",
        "scope": "user.info.basic,video.upload",
        "redirect_uri": REDIRECT,
        "state": "s",
        "code_challenge": "ab" * 32,
        "code_challenge_method": "S256",
    }


def test_exchange_refresh_revoke(tk, sandbox, http, seen):
    ts = tokens(tk, sandbox, http)
    assert ts.open_id.startswith("sbx-") and ts.scope == SCOPES
    assert ts.expires_in == 7200 and ts.refresh_expires_in > 0
    assert ts.access_token not in repr(ts) and ts.refresh_token not in repr(ts)
    again = tk.refresh(ts.refresh_token)
    assert again.refresh_token != ts.refresh_token
    with pytest.raises(e.InvalidGrant) as info:  # strict rotation: the old one is dead
        tk.refresh(ts.refresh_token)
    assert info.value.log_id and info.value.http_status == 200
    tk.revoke(again.access_token)
    with pytest.raises(e.AccessTokenInvalid):
        tk.user_info(again.access_token, ["open_id"])
    kinds = [(x.kind, x.status, x.code) for x in seen]
    assert kinds[:3] == [
        ("oauth", 200, None),
        ("oauth", 200, None),
        ("oauth", 200, "invalid_grant"),
    ]
    assert kinds[-1] == ("api", 401, "access_token_invalid")


def test_wrong_verifier_is_refused(tk, sandbox, http):
    code, _verifier = authorize(tk, sandbox, http)
    with pytest.raises(e.InvalidGrant):
        tk.exchange_code(code, REDIRECT, pkce_pair()[0])


def test_user_and_creator_info(tk, sandbox, http, seen):
    ts = tokens(tk, sandbox, http)
    user = tk.user_info(ts.access_token, ["open_id", "display_name", "avatar_url"])
    assert user["display_name"] == "Acme Studio" and user["open_id"] == ts.open_id
    info = tk.creator_info(ts.access_token)
    assert info.nickname == "Acme Studio" and "SELF_ONLY" in info.privacy_level_options
    assert info.max_video_post_duration_sec == 600
    assert seen[-1].log_id and seen[-1].code == "ok"


def test_creator_info_spam_on_http_200(tk, sandbox, http):
    ts = tokens(tk, sandbox, http, creator="spammy")
    with pytest.raises(e.SpamRisk) as info:
        tk.creator_info(ts.access_token)
    assert info.value.http_status == 200 and info.value.code == "spam_risk_too_many_posts"


def test_scope_not_authorized(tk, sandbox, http):
    ts = tokens(tk, sandbox, http, scopes=["user.info.basic"])
    with pytest.raises(e.ScopeNotAuthorized):
        tk.creator_info(ts.access_token)


@pytest.mark.parametrize(
    ("kind", "cls"), [("500", e.ServerError), ("503", e.ServerError), ("429", e.RateLimited)]
)
def test_injected_api_faults_are_typed(tk, sandbox, http, kind, cls):
    ts = tokens(tk, sandbox, http)
    fail_next(http, sandbox, "/v2/user/info/", kind)
    with pytest.raises(cls) as info:
        tk.user_info(ts.access_token, ["open_id"])
    assert info.value.http_status == int(kind) and info.value.log_id


def test_oauth_server_error_is_backoff(tk, sandbox, http):
    ts = tokens(tk, sandbox, http)
    fail_next(http, sandbox, "/v2/oauth/token/", "500")
    with pytest.raises(e.OAuthError) as info:
        tk.refresh(ts.refresh_token)
    assert e.retry_action(info.value) is e.RetryAction.BACKOFF


def test_timeout_and_connection_errors(sandbox, http, seen):
    slow = TikTokClient("sandbox-client-key", "s", sandbox.url, "", 0.3, hook=seen.append)
    fail_next(http, sandbox, "/v2/user/info/", "slow", seconds=1.5)
    with pytest.raises(e.TransportError) as info:
        slow.user_info("act.x", ["open_id"])
    assert info.value.kind == "timeout" and seen[-1].error == "timeout"
    dead = TikTokClient("k", "s", "http://127.0.0.1:9", "", 2.0, hook=seen.append)
    with pytest.raises(e.TransportError) as info:
        dead.user_info("act.x", ["open_id"])
    assert info.value.kind == "connection" and seen[-1].error.startswith("connection_error")
    fail_next(http, sandbox, "/v2/user/info/", "drop")
    with pytest.raises(e.TransportError):
        slow.user_info("act.x", ["open_id"])


def test_hook_errors_propagate(sandbox, http):
    def broken(_exchange: Exchange) -> None:
        raise RuntimeError("audit down")

    tk = TikTokClient("sandbox-client-key", "sandbox-client-secret", sandbox.url, "", 5, broken)
    with pytest.raises(RuntimeError, match="audit down"):
        tk.user_info("act.nope", ["open_id"])


def test_inbox_upload_status_and_cancel(tk, sandbox, http, tmp_path, seen):
    ts = tokens(tk, sandbox, http)
    size, chunk = 12 * 1024 * 1024 + 123, 5 * 1024 * 1024
    path = tmp_path / "v.mp4"
    path.write_bytes(os.urandom(size))
    count = size // chunk
    init = tk.init_inbox_video(
        ts.access_token,
        {
            "source": "FILE_UPLOAD",
            "video_size": size,
            "chunk_size": chunk,
            "total_chunk_count": count,
        },
    )
    assert init.publish_id.startswith("v_inbox_file~") and init.upload_url
    assert init.upload_url not in repr(init)
    results = []
    for i in range(count):
        first = i * chunk
        last = size - 1 if i == count - 1 else first + chunk - 1
        results.append(tk.upload_chunk(init.upload_url, path, first, last, size, "video/mp4"))
    assert [r.status_code for r in results] == [206, 201]
    assert results[-1].complete and results[-1].content_range == f"bytes 0-{size - 1}/{size}"
    upload = [x for x in seen if x.kind == "upload"]
    assert [x.request_body_size for x in upload] == [chunk, size - chunk]
    assert all(x.request_body is None for x in upload)
    assert all("Transfer-Encoding" not in x.request_headers for x in upload)
    import hashlib

    state = requests.get(sandbox.url + "/_sandbox/state", timeout=5).json()
    assert state["completed_uploads"][0]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    status = tk.fetch_status(ts.access_token, init.publish_id)
    assert status.status in {"PROCESSING_UPLOAD", "SEND_TO_USER_INBOX"}
    with pytest.raises(e.UploadRejected) as info:  # out of order / already complete
        tk.upload_chunk(init.upload_url, path, 0, chunk - 1, size, "video/mp4")
    assert info.value.status_code == 416
    second = tk.init_inbox_video(
        ts.access_token,
        {
            "source": "FILE_UPLOAD",
            "video_size": size,
            "chunk_size": chunk,
            "total_chunk_count": count,
        },
    )
    tk.cancel(ts.access_token, second.publish_id)
    assert tk.fetch_status(ts.access_token, second.publish_id).fail_reason == "publish_cancelled"
    with pytest.raises(e.PublishNotCancellable):
        tk.cancel(ts.access_token, second.publish_id)


def test_upload_errors_are_typed(tk, sandbox, http, tmp_path):
    path = tmp_path / "small.mp4"
    path.write_bytes(b"\0" * 1000)
    bogus = sandbox.url + "/upload/?upload_id=1&upload_token=x"
    with pytest.raises(e.UploadRejected) as info:
        tk.upload_chunk(bogus, path, 0, 999, 1000, "video/mp4")
    assert info.value.status_code == 404
    assert e.retry_action(info.value) is e.RetryAction.REINIT


def test_invalid_param_on_init(tk, sandbox, http):
    ts = tokens(tk, sandbox, http)
    with pytest.raises(e.InvalidParam):
        tk.init_inbox_video(ts.access_token, {"source": "FILE_UPLOAD", "video_size": 10})


def test_direct_post_privacy_mismatch(tk, sandbox, http):
    ts = tokens(tk, sandbox, http, creator="quiet")
    with pytest.raises(e.PrivacyLevelMismatch):
        tk.init_direct_video(
            ts.access_token,
            {"privacy_level": "PUBLIC_TO_EVERYONE", "brand_content_toggle": False},
            {"source": "PULL_FROM_URL", "video_url": "https://media.example.com/v.mp4"},
        )
