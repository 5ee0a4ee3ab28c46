"""Inbound webhooks: verify TikTok and Meta signatures, store deliveries once, process them.

Order (RELIABILITY.md): verify, insert the delivery under a unique digest of its body, answer
200, then process in a job; a periodic sweeper processes rows a crash left unprocessed.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from studio import db, vault
from studio.audit import Action, Actor, record
from studio.privacy.models import WebhookDelivery
from studio.privacy.payloads import MetaDeletion, Rejected, TikTokEvent, meta_deletion, tiktok_event

MAX_ATTEMPTS = 8
LEASE_SECONDS = 300


@dataclass(frozen=True)
class Received:
    """A stored (or recognised duplicate) delivery."""

    delivery: WebhookDelivery
    duplicate: bool


def digest(body: bytes) -> str:
    """SHA-256 of the raw body: TikTok retries send the same body with a new signature."""
    return hashlib.sha256(body).hexdigest()


def parse_signature(header: str) -> tuple[int, str]:
    """``t=<unix>,s=<hex>`` → (t, s)."""
    parts: dict[str, str] = {}
    for item in (header or "").split(","):
        key, sep, value = item.strip().partition("=")
        if sep:
            parts[key.strip()] = value.strip()
    try:
        return int(parts["t"]), parts["s"]
    except (KeyError, ValueError) as exc:
        raise Rejected("missing or malformed TikTok-Signature header") from exc


def verify_tiktok(header: str, body: bytes, now: float | None = None) -> TikTokEvent:
    """Check the signature and timestamp, then return the typed envelope."""
    cfg = current_app.config
    timestamp, signature = parse_signature(header)
    signed = str(timestamp).encode() + b"." + body
    expected = hmac.new(cfg["TIKTOK_CLIENT_SECRET"].encode(), signed, hashlib.sha256).hexdigest()
    # compare_digest refuses non-ASCII text with a TypeError: such a header is simply wrong.
    if not signature.isascii() or not hmac.compare_digest(expected, signature.lower()):
        raise Rejected("signature does not match")
    age = (time.time() if now is None else now) - timestamp
    if abs(age) > int(cfg["TIKTOK_WEBHOOK_TOLERANCE"]):
        raise Rejected(f"timestamp outside the {cfg['TIKTOK_WEBHOOK_TOLERANCE']} s tolerance")
    envelope = tiktok_event(body)
    if envelope.client_key != cfg["TIKTOK_CLIENT_KEY"]:
        raise Rejected("event is for another client_key")
    return envelope


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


def store(session: Session, source: str, event: str, body: bytes) -> Received:
    """Insert the delivery once; a repeat (same body) is recognised and counted."""
    key = digest(body)
    row = WebhookDelivery(source=source, digest=key, event=event[:64], body_enc=vault.wrap(body))
    session.add(row)
    try:
        session.commit()
        return Received(row, duplicate=False)
    except IntegrityError:
        session.rollback()
    session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.digest == key)
        .values(duplicates=WebhookDelivery.duplicates + 1)
    )
    session.commit()
    existing = session.scalar(select(WebhookDelivery).where(WebhookDelivery.digest == key))
    return Received(existing, duplicate=True)  # type: ignore[arg-type]


def audit_received(source: str, received: Received, extra: Mapping[str, Any]) -> None:
    """Record a verified delivery; never with account identifiers (payload or summary)."""
    row = received.delivery
    record(
        Action.WEBHOOK_RECEIVED,
        actor=Actor.webhook(source),
        summary=f"{source} webhook {row.event}"
        + (" (repeat, ignored)" if received.duplicate else ""),
        payload={
            "delivery_id": row.id,
            "digest": row.digest,
            "duplicate": received.duplicate,
            **extra,
        },
    )


def audit_rejected(source: str, reason: str, body: bytes) -> None:
    """Record a delivery that failed verification (what was wrong, and the body's digest)."""
    record(
        Action.WEBHOOK_REJECTED,
        actor=Actor.webhook(source),
        status="error",
        summary=f"{source} webhook rejected: {reason}",
        payload={"reason": reason, "digest": digest(body), "size": len(body)},
    )


def claim(session: Session, delivery_id: int) -> tuple[WebhookDelivery, bytes] | None:
    """The delivery and its body, when it still needs processing."""
    db.begin_write(session)
    row = session.get(
        WebhookDelivery,
        delivery_id,
        populate_existing=True,
        with_for_update=not db.is_sqlite(session),
    )
    now = db.utcnow()
    if row is None or row.processed_at is not None or row.body_enc is None:
        session.rollback()
        return None
    if row.claimed_until is not None and row.claimed_until > now:
        session.rollback()  # another worker holds it
        return None
    row.claimed_until = now + dt.timedelta(seconds=LEASE_SECONDS)
    session.commit()  # no writer transaction stays open while the event is handled
    return row, vault.unwrap(row.body_enc)


def finish(session: Session, row: WebhookDelivery, outcome: str) -> None:
    """Mark processed and erase the stored body (it holds the account's open_id)."""
    db.begin_write(session)
    session.refresh(row)
    row.processed_at = db.utcnow()
    row.outcome = outcome[:32]
    row.body_enc = None
    session.commit()


def failed(session: Session, row: WebhookDelivery, error: str) -> None:
    """Count a failed attempt; after MAX_ATTEMPTS give up and erase the body."""
    session.rollback()
    db.begin_write(session)
    session.refresh(row)
    row.attempts += 1
    row.last_error = error[:500]
    row.claimed_until = None
    session.commit()
    if row.attempts >= MAX_ATTEMPTS:
        finish(session, row, "failed")


def unprocessed(session: Session, older_than_s: int = 60) -> list[int]:
    """Deliveries a crash (or a lost job) left unprocessed."""
    cutoff = db.utcnow() - dt.timedelta(seconds=older_than_s)
    query = select(WebhookDelivery.id).where(
        WebhookDelivery.processed_at.is_(None), WebhookDelivery.received_at <= cutoff
    )
    return list(session.scalars(query))
