"""Meta's data-deletion callback: the app's secret and replay window around the platform's check."""

from __future__ import annotations

from flask import current_app

from studio.platforms.meta.signed import Rejected, SignedRequest, verify_signed_request

__all__ = ["Rejected", "verify_meta"]


def verify_meta(signed_request: str, now: float | None = None) -> SignedRequest:
    """Meta's ``signed_request``, verified (signature first), typed, and fresh: within the
    replay window (WEBHOOK_RETENTION_DAYS, as long as delivery digests are kept)."""
    secret = current_app.config.get("META_APP_SECRET") or ""
    if not secret:
        raise Rejected("Meta is not configured (META_APP_SECRET is unset)")
    window = int(current_app.config["WEBHOOK_RETENTION_DAYS"]) * 86400
    return verify_signed_request(signed_request, secret, window, now=now)
