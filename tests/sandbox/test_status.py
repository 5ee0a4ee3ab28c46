"""status/fetch for Direct Post, failure hooks and the status rate limit."""

from __future__ import annotations

import json

from tests.sandbox.support import Receiver, TikTok, wait_for

DIRECT = "/v2/post/publish/video/init/"
SMALL = {"source": "FILE_UPLOAD", "video_size": 1000, "chunk_size": 1000, "total_chunk_count": 1}


def _direct(tt: TikTok, token: str, privacy: str) -> dict:
    info = {"privacy_level": privacy, "brand_content_toggle": False}
    return tt.api(DIRECT, token, {"post_info": info, "source_info": SMALL}).json()["data"]


def test_public_direct_post_completes_with_post_id(tt: TikTok, receiver: Receiver) -> None:
    tt.server.configure(webhook_url=f"{receiver.url}/hook")
    token = tt.login()["access_token"]
    data = _direct(tt, token, "PUBLIC_TO_EVERYONE")
    assert tt.put(data["upload_url"], b"v" * 1000, 0, 1000).status_code == 201
    status = wait_for(
        lambda: (
            (d := tt.status(token, data["publish_id"]).json()["data"])[
                "publicaly_available_post_id"
            ]
            and d
        )
    )
    assert status["status"] == "PUBLISH_COMPLETE" and status["uploaded_bytes"] == 1000
    events = wait_for(lambda: len(receiver.received) >= 2 and receiver.received)
    first = json.loads(events[0]["body"])
    assert first["event"] == "post.publish.complete"
    assert json.loads(first["content"])["publish_type"] == "DIRECT_PUBLISH"


def test_private_direct_post_has_no_public_id(tt: TikTok) -> None:
    token = tt.login()["access_token"]
    data = _direct(tt, token, "SELF_ONLY")
    tt.put(data["upload_url"], b"v" * 1000, 0, 1000)
    wait_for(
        lambda: tt.status(token, data["publish_id"]).json()["data"]["status"] == "PUBLISH_COMPLETE"
    )
    assert tt.status(token, data["publish_id"]).json()["data"]["publicaly_available_post_id"] == []


def test_fail_hook_and_configured_fail_reason(tt: TikTok) -> None:
    tt.server.configure(
        fail_hook=lambda p: "duration_check_failed" if p["video_size"] == 1000 else None
    )
    token = tt.login()["access_token"]
    data = tt.inbox_init(token, 1000, 1000, 1).json()["data"]
    tt.put(data["upload_url"], b"v" * 1000, 0, 1000)
    status = wait_for(
        lambda: (
            (d := tt.status(token, data["publish_id"]).json()["data"])["status"] == "FAILED" and d
        )
    )
    assert status["fail_reason"] == "duration_check_failed"
    events = [w["event"] for w in tt.server.state.summary()["webhooks"]]
    assert events == ["post.publish.failed"]


def test_status_rate_limit_30(tt: TikTok) -> None:
    token = tt.login()["access_token"]
    publish_id = tt.inbox_init(token, 1000, 1000, 1).json()["data"]["publish_id"]
    codes = [tt.status(token, publish_id).status_code for _ in range(31)]
    assert codes == [200] * 30 + [429]


def test_control_complete_and_reset(tt: TikTok) -> None:
    token = tt.login()["access_token"]
    data = tt.inbox_init(token, 1000, 1000, 1).json()["data"]
    tt.put(data["upload_url"], b"v" * 1000, 0, 1000)
    wait_for(
        lambda: (
            tt.status(token, data["publish_id"]).json()["data"]["status"] == "SEND_TO_USER_INBOX"
        )
    )
    url = f"{tt.url}/_sandbox/publish/{data['publish_id']}/complete"
    assert tt.http.post(url).json() == {"changed": True}
    assert tt.status(token, data["publish_id"]).json()["data"]["status"] == "PUBLISH_COMPLETE"
    assert tt.http.post(f"{tt.url}/_sandbox/reset").json() == {"ok": True}
    assert tt.status(token, data["publish_id"]).status_code == 401
    assert tt.http.get(f"{tt.url}/_sandbox/state").json()["publishes"] == {}


def test_expire_upload_control(tt: TikTok) -> None:
    token = tt.login()["access_token"]
    data = tt.inbox_init(token, 1000, 1000, 1).json()["data"]
    url = f"{tt.url}/_sandbox/publish/{data['publish_id']}/expire_upload"
    assert tt.http.post(url).json() == {"changed": True}
    assert tt.put(data["upload_url"], b"v" * 1000, 0, 1000).status_code == 403


def test_deauthorize_revokes_and_fails_in_flight(tt: TikTok) -> None:
    tokens = tt.login()
    data = tt.inbox_init(tokens["access_token"], 1000, 1000, 1).json()["data"]
    resp = tt.http.post(
        f"{tt.url}/_sandbox/deauthorize", json={"open_id": tokens["open_id"], "reason": 1}
    )
    assert resp.json() == {"revoked_grants": 1}
    assert tt.status(tokens["access_token"], data["publish_id"]).status_code == 401
    publish = tt.server.state.summary()["publishes"][data["publish_id"]]
    assert publish["fail_reason"] == "auth_removed"
    events = [(w["event"], w["content"]) for w in tt.server.state.summary()["webhooks"]]
    assert ("authorization.removed", {"reason": 1}) in events
