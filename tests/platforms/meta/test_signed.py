"""signed_request of the Deauthorize and Data Deletion callbacks: valid, forged, stale, replayed."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import pytest

from studio.platforms.meta.signed import Rejected, SignedRequest, verify_signed_request
from studio.sandbox.meta.callbacks import sign
from studio.sandbox.server import SandboxServer

SECRET = "sandbox-meta-app-secret"
DAY = 86_400
NOW = 1_796_000_000


def _payload(**changes: object) -> dict[str, object]:
    return {
        "algorithm": "HMAC-SHA256",
        "expires": NOW + 3600,
        "issued_at": NOW,
        "user_id": "10200000000000001",
        **changes,
    }


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_a_callback_the_sandbox_sent_verifies(sbx: SandboxServer) -> None:
    sbx.meta.deauthorize("dana")
    sbx.meta.request_deletion("pat")
    sent = [c["signed_request"] for c in sbx.meta.state.callbacks]
    found = [verify_signed_request(s, sbx.meta.state.config.app_secret, DAY) for s in sent]
    assert [f.user_id for f in found] == ["10200000000000001", "10200000000000002"]
    assert abs(found[0].issued_at - time.time()) < 60 and found[0].expires


def test_valid_and_replayed_requests_give_the_same_typed_payload() -> None:
    signed = sign(SECRET, _payload())
    first = verify_signed_request(signed, SECRET, DAY, now=NOW + 10)
    assert first == SignedRequest("10200000000000001", NOW, NOW + 3600)
    # A replay inside the window verifies the same: the caller's digest store catches repeats.
    assert verify_signed_request(signed, SECRET, DAY, now=NOW + 20) == first


@pytest.mark.parametrize(
    ("signed", "reason"),
    [
        (sign("another-secret", _payload()), "signature"),
        (sign(SECRET, _payload()).split(".")[0] + "." + _b64(b'{"user_id":"1"}'), "signature"),
        (sign(SECRET, _payload(algorithm="HMAC-SHA1")), "algorithm"),
        (sign(SECRET, _payload(algorithm=None)), "algorithm"),
        (sign(SECRET, _payload(issued_at=NOW - DAY - 1)), "replay window"),
        (sign(SECRET, _payload(issued_at=NOW + 3600)), "replay window"),
        (sign(SECRET, _payload(issued_at=None)), "issued_at"),
        (sign(SECRET, _payload(user_id="")), "user_id"),
        (sign(SECRET, _payload(user_id="1\u0000")), "acceptable JSON"),
        ("no-dot-at-all", "malformed"),
        (".only-payload", "malformed"),
        ("!!!.e30", "signature"),
        ("x" * 9000, "malformed"),
    ],
)
def test_bad_requests_are_rejected(signed: str, reason: str) -> None:
    with pytest.raises(Rejected, match=reason):
        verify_signed_request(signed, SECRET, DAY, now=NOW)


def test_the_signature_is_checked_before_the_payload_is_parsed() -> None:
    body = _b64(b"[" * 5000)  # would trip the strict parser if it were reached
    forged = _b64(hmac.new(b"wrong", body.encode(), hashlib.sha256).digest()) + "." + body
    with pytest.raises(Rejected, match="signature"):
        verify_signed_request(forged, SECRET, DAY, now=NOW)
    signed = _b64(hmac.new(SECRET.encode(), body.encode(), hashlib.sha256).digest()) + "." + body
    with pytest.raises(Rejected, match="not acceptable JSON"):
        verify_signed_request(signed, SECRET, DAY, now=NOW)


def test_no_secret_means_nothing_is_accepted() -> None:
    with pytest.raises(Rejected, match="not configured"):
        verify_signed_request(sign("", _payload()), "", DAY, now=NOW)


def test_a_signed_non_object_payload_is_rejected() -> None:
    body = _b64(json.dumps([1, 2]).encode())
    signed = _b64(hmac.new(SECRET.encode(), body.encode(), hashlib.sha256).digest()) + "." + body
    with pytest.raises(Rejected, match="not an object"):
        verify_signed_request(signed, SECRET, DAY, now=NOW)
