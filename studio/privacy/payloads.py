"""Meta's data-deletion `signed_request`, typed and checked at the edge, or Rejected."""

from __future__ import annotations

import time
from dataclasses import dataclass

from studio.platforms.payloads import Rejected, id_field, integer, parse_json

META_SKEW_SECONDS = 300


@dataclass(frozen=True)
class MetaDeletion:
    """Meta's data-deletion ``signed_request`` payload."""

    user_id: str
    issued_at: int


def meta_deletion(payload: bytes, max_age: int, now: float | None = None) -> MetaDeletion:
    """Meta's (verified) payload, typed, and fresh.

    Freshness: ``issued_at`` must lie within ``max_age`` seconds (the replay window: delivery
    digests are kept that long, so an older request could no longer be recognised as a repeat)
    and at most META_SKEW_SECONDS in the future. Meta sends the request when the user asks,
    and retries for far less than the window.
    """
    data = parse_json(payload, "signed_request payload")
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
    if age > max_age or age < -META_SKEW_SECONDS:
        raise Rejected("signed_request issued_at is outside the replay window")
    return MetaDeletion(user_id=user_id, issued_at=issued_at)
