"""The inbox every platform's webhooks and callbacks go through.

Order (RELIABILITY.md): verify (the platform's job), insert the delivery under a unique digest
of its body, answer 200, then process in a job; a periodic sweeper processes rows a crash left
unprocessed. The stored body is vault-wrapped and erased once processed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from studio import db, vault
from studio.audit import Action, Actor, record
from studio.platforms.models import WebhookDelivery

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
LEASE_SECONDS = 300

# A platform's handler: the stored (verified) body → the outcome word kept on the row.
Handler = Callable[[Session, bytes], str]


@dataclass(frozen=True)
class Received:
    """A stored (or recognised duplicate) delivery."""

    delivery: WebhookDelivery
    duplicate: bool


def digest(body: bytes) -> str:
    """SHA-256 of the raw body: TikTok retries send the same body with a new signature."""
    return hashlib.sha256(body).hexdigest()


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
        platform=source,
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
        platform=source,
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


def unprocessed(
    session: Session, source: str, older_than_s: int = 60, event: str | None = None
) -> list[int]:
    """Deliveries from `source` (of one `event`, if given) a crash or lost job left unprocessed."""
    cutoff = db.utcnow() - dt.timedelta(seconds=older_than_s)
    query = select(WebhookDelivery.id).where(
        WebhookDelivery.source == source,
        WebhookDelivery.processed_at.is_(None),
        WebhookDelivery.received_at <= cutoff,
    )
    if event is not None:
        query = query.where(WebhookDelivery.event == event)
    return list(session.scalars(query))


def process(session: Session, delivery_id: int, handle: Handler) -> str | None:
    """Process one delivery if it still needs it (and nobody holds it); returns the outcome."""
    claimed = claim(session, delivery_id)
    if claimed is None:
        return None
    row, body = claimed
    try:
        outcome = handle(session, body)
    except Exception as exc:
        # Only the exception's type: messages may quote SQL parameters (identifiers).
        log.warning("webhook delivery %s failed: %s", delivery_id, type(exc).__name__)
        failed(session, row, type(exc).__name__)
        raise
    finish(session, row, outcome)
    return outcome


def purge_processed(session: Session, before: dt.datetime, dry_run: bool = False) -> int:
    """Delete processed deliveries received before `before` (their digests stop recognising
    repeats then: keep them for the platforms' retry window); returns how many."""
    if not dry_run:
        db.begin_write(session)
    where = (WebhookDelivery.received_at < before, WebhookDelivery.processed_at.is_not(None))
    ids = session.scalars(select(WebhookDelivery.id).where(*where)).all()
    if ids and not dry_run:
        session.execute(delete(WebhookDelivery).where(WebhookDelivery.id.in_(ids)))
    session.commit()
    return len(ids)
