"""Meta's `signed_request` (Deauthorize and Data Deletion callbacks): verified, typed, fresh.

`b64url(HMAC-SHA256(app secret, payload as received)) + "." + b64url(JSON payload)`: the
signature is checked (constant time) before anything decodes the payload, then the algorithm,
then `issued_at` (docs/platforms/meta.md, Disconnect, Deauthorize and Data Deletion callbacks).
A pure function: no Flask, the secret and the window are passed in.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import time
from dataclasses import dataclass

from studio.platforms.payloads import Rejected, id_field, integer, parse_json

__all__ = ["Rejected", "SignedRequest", "verify_signed_request"]

SKEW_SECONDS = 300  # how far in the future `issued_at` may lie (clocks differ)
MAX_LENGTH = 8192  # real ones are a few hundred characters


@dataclass(frozen=True)
class SignedRequest:
    """A verified payload: the app-scoped user id and when Meta signed it."""

    user_id: str
    issued_at: int
    expires: int | None = None


def verify_signed_request(
    signed_request: str,
    app_secret: str,
    max_age: int,
    *,
    now: float | None = None,
    skew: int = SKEW_SECONDS,
) -> SignedRequest:
    """The payload if the signature, the algorithm and the age hold, else Rejected.

    `max_age` is the replay window in seconds: the caller keeps the digests of what it
    received that long, so a repeat inside it is recognised and an older one refused here.
    """
    if not app_secret:
        raise Rejected("Meta is not configured (no app secret)")
    if not isinstance(signed_request, str) or len(signed_request) > MAX_LENGTH:
        raise Rejected("malformed signed_request")
    encoded_sig, sep, payload = signed_request.partition(".")
    if not sep or not encoded_sig or not payload:
        raise Rejected("malformed signed_request")
    signature = _unb64(encoded_sig)
    # The signature first: nothing unauthenticated reaches the JSON parser.
    expected = hmac.new(app_secret.encode(), payload.encode(), hashlib.sha256).digest()
    if not hmac.compare_digest(expected, signature):
        raise Rejected("signature does not match")
    data = parse_json(_unb64(payload), "signed_request payload")
    if not isinstance(data, dict):
        raise Rejected("signed_request payload is not an object")
    algorithm = data.get("algorithm")
    if not isinstance(algorithm, str) or algorithm.upper() != "HMAC-SHA256":
        raise Rejected("unsupported algorithm")
    user_id = id_field(data, "user_id")
    if not user_id:
        raise Rejected("signed_request has no user_id")
    issued_at = integer(data, "issued_at")
    if issued_at is None:
        raise Rejected("signed_request has no issued_at")
    age = (time.time() if now is None else now) - issued_at
    if age > max_age or age < -skew:
        raise Rejected("signed_request issued_at is outside the replay window")
    return SignedRequest(user_id, issued_at, integer(data, "expires"))


def _unb64(data: str) -> bytes:
    """Unpadded base64url; Rejected when it is not."""
    try:
        return base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))
    except (binascii.Error, ValueError) as exc:
        raise Rejected("malformed signed_request") from exc
