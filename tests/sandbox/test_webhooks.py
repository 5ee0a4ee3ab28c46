"""Webhooks: envelope, signature, automatic status events and retries."""

from __future__ import annotations

import hashlib
import hmac
import json

from tests.sandbox.support import Receiver, TikTok, wait_for


def _verify(headers: dict[str, str], body: bytes, secret: str) -> bool:
    """The documented algorithm: split on ',', then '='; HMAC-SHA256 over 't.body'."""
    parts = dict(p.split("=", 1) for p in headers["TikTok-Signature"].split(","))
    expected = hmac.new(
        secret.encode(), f"{parts['t']}.".encode() + body, hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest(expected, parts["s"])


def test_control_webhook_is_signed(tt: TikTok, receiver: Receiver) -> None:
    tt.server.configure(webhook_url=f"{receiver.url}/hook")
    resp = tt.http.post(
        f"{tt.url}/_sandbox/webhook",
        json={
            "event": "authorization.removed",
            "open_id": "sbx-x",
            "content": {"reason": 1},
            "wait": True,
        },
    )
    assert resp.json()["delivered"] is True
    hit = receiver.received[0]
    assert _verify(hit["headers"], hit["body"], "sandbox-client-secret")
    assert not _verify(hit["headers"], hit["body"], "other-secret")
    envelope = json.loads(hit["body"])
    assert envelope["client_key"] == "sandbox-client-key" and envelope["user_openid"] == "sbx-x"
    assert json.loads(envelope["content"]) == {"reason": 1}


def test_status_transitions_send_events(tt: TikTok, receiver: Receiver) -> None:
    tt.server.configure(webhook_url=f"{receiver.url}/hook", inbox_auto_publish_after=0.05)
    token = tt.login()["access_token"]
    data = tt.inbox_init(token, 1000, 1000, 1).json()["data"]
    tt.put(data["upload_url"], b"x" * 1000, 0, 1000)

    def events() -> list[str]:
        return [json.loads(r["body"])["event"] for r in receiver.received]

    wait_for(lambda: "post.publish.publicly_available" in events())
    assert events()[:2] == ["post.publish.inbox_delivered", "post.publish.complete"]
    content = json.loads(json.loads(receiver.received[0]["body"])["content"])
    assert content == {"publish_id": data["publish_id"], "publish_type": "INBOX_SHARE"}


def test_webhook_retries_on_non_200(tt: TikTok, receiver: Receiver) -> None:
    tt.server.configure(webhook_url=f"{receiver.url}/hook", webhook_retry_delay=0.01)
    receiver.post_statuses.extend([500, 503])
    record = tt.server.send_webhook(
        "post.publish.failed", "sbx-x", {"publish_id": "p", "reason": "internal"}, wait=True
    )
    assert record["attempts"] == [500, 503, 200] and record["delivered"]
    assert len(receiver.received) == 3
