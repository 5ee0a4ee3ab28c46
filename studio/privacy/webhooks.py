"""Meta's data-deletion callback: verify the ``signed_request`` before anything reads it."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

from flask import current_app

from studio.platforms.payloads import Rejected
from studio.privacy.payloads import MetaDeletion, meta_deletion

__all__ = ["Rejected", "verify_meta"]


def _b64url(data: str) -> bytes:
    return base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))


def verify_meta(signed_request: str, now: float | None = None) -> MetaDeletion:
    """Check Meta's ``signed_request`` (HMAC-SHA256 over the encoded payload), decode it, and
    check that it is fresh (within the replay window, WEBHOOK_RETENTION_DAYS)."""
    secret = current_app.config.get("META_APP_SECRET")
    if not secret:
        raise Rejected("Meta is not configured (META_APP_SECRET is unset)")
    encoded_sig, sep, payload = (signed_request or "").partition(".")
    if not sep or not encoded_sig or not payload:
        raise Rejected("malformed signed_request")
    try:
        signature = _b64url(encoded_sig)
    except (binascii.Error, ValueError) as exc:
        raise Rejected("malformed signed_request") from exc
    # The signature first: nothing unauthenticated reaches the JSON parser.
    expected = hmac.new(secret.encode(), payload.encode(), hashlib.sha256).digest()
    if not hmac.compare_digest(expected, signature):
        raise Rejected("signature does not match")
    try:
        decoded = _b64url(payload)
    except (binascii.Error, ValueError) as exc:
        raise Rejected("malformed signed_request") from exc
    window = int(current_app.config["WEBHOOK_RETENTION_DAYS"]) * 86400
    return meta_deletion(decoded, window, now)
