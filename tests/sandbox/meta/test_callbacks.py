"""Signed Deauthorize and Data Deletion callbacks: verifiable with the app secret only."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from urllib.parse import parse_qs

from studio.sandbox.meta import callbacks
from tests.sandbox.meta.support import Meta, error
from tests.sandbox.support import Receiver


def _verify(signed_request: str, secret: str) -> dict[str, object] | None:
    """Meta's documented check, written independently of the sandbox's code."""
    encoded_sig, payload = signed_request.split(".", 1)

    def unpad(data: str) -> bytes:
        return base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))

    expected = hmac.new(secret.encode(), payload.encode(), hashlib.sha256).digest()
    if not hmac.compare_digest(expected, unpad(encoded_sig)):
        return None
    data = json.loads(unpad(payload))
    return data if data.get("algorithm") == "HMAC-SHA256" else None


def _signed(receiver: Receiver, index: int = 0) -> str:
    form = parse_qs(receiver.received[index]["body"].decode())
    return form["signed_request"][0]


def test_deauthorize_revokes_and_sends_a_signed_request(meta: Meta, receiver: Receiver) -> None:
    meta.handle.configure(deauthorize_url=f"{receiver.url}/webhooks/meta/deauthorize")
    token = meta.long_token()
    record = meta.http.post(
        f"{meta.server.url}/_sandbox/meta/deauthorize", json={"person": "dana"}
    ).json()
    assert record["status"] == 200 and record["valid"] is True and "signed_request" not in record
    hit = receiver.received[0]
    assert hit["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
    payload = _verify(_signed(receiver), "sandbox-meta-app-secret")
    assert payload is not None and payload["user_id"] == "10200000000000001"
    assert isinstance(payload["issued_at"], int)
    assert _verify(_signed(receiver), "another-secret") is None
    assert error(meta.call("GET", "me", token)) == (190, 458)


def test_data_deletion_answer_must_be_url_and_confirmation_code(
    meta: Meta, receiver: Receiver
) -> None:
    meta.handle.configure(data_deletion_url=f"{receiver.url}/webhooks/meta/data-deletion")
    record = meta.handle.request_deletion("dana")
    assert record["event"] == "data_deletion" and record["status"] == 200
    assert record["valid"] is False  # the receiver answers an empty body, not {url, code}
    assert _verify(_signed(receiver), "sandbox-meta-app-secret") is not None


def test_replay_sends_the_same_bytes(meta: Meta, receiver: Receiver) -> None:
    meta.handle.configure(deauthorize_url=f"{receiver.url}/hook")
    meta.handle.deauthorize("pat")
    replayed = meta.http.post(f"{meta.server.url}/_sandbox/meta/callbacks/0/replay").json()
    assert replayed["replay_of"] == 0 and len(receiver.received) == 2
    assert receiver.received[0]["body"] == receiver.received[1]["body"]


def test_sign_and_parse_round_trip_and_refuse_forgeries() -> None:
    payload = {"algorithm": "HMAC-SHA256", "issued_at": 1, "user_id": "42"}
    signed = callbacks.sign("s3cret", payload)
    assert "=" not in signed and callbacks.parse("s3cret", signed) == payload
    assert callbacks.parse("other", signed) is None
    tampered = (
        signed.split(".")[0]
        + "."
        + callbacks.sign("s3cret", {**payload, "user_id": "43"}).split(".")[1]
    )
    assert callbacks.parse("s3cret", tampered) is None
    other_algo = callbacks.sign("s3cret", {**payload, "algorithm": "HMAC-SHA1"})
    assert callbacks.parse("s3cret", other_algo) is None
    assert callbacks.parse("s3cret", "garbage") is None


def test_without_a_url_the_callback_is_only_recorded(meta: Meta) -> None:
    record = meta.handle.deauthorize("nobody")
    assert record["url"] is None and record["valid"] is False
    assert meta.handle.summary()["counters"]["callbacks_deauthorize"] == 1
