"""Retention: delete what the inventory says we no longer keep (dry run shows it first)."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from studio import db, ledger
from studio.audit import Action, Actor, record
from studio.audit import erasure as audit_erasure
from studio.audit import retention as audit_retention
from studio.auth import erasure as auth_erasure
from studio.platforms import inbox
from studio.platforms.grants import erase_expired_tokens
from studio.platforms.oauth import purge_expired_flows
from studio.privacy import contact, mail, services
from studio.privacy.execute import checkpoint
from studio.privacy.models import (
    DeletionBrowser,
    DeletionLink,
    DeletionRequest,
    RequestStatus,
)
from studio.videos import erasure as videos_erasure
from studio.videos import services as videos


@dataclass
class Purge:
    """What a purge found (dry run) or deleted, by category."""

    dry_run: bool
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, category: str, count: int) -> None:
        self.counts[category] = self.counts.get(category, 0) + count

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _days(key: str) -> dt.datetime:
    return db.utcnow() - dt.timedelta(days=int(current_app.config[key]))


def _video_files(session: Session, purge: Purge) -> None:
    cutoff = _days("VIDEO_RETENTION_DAYS")
    purge.add("video_files", videos_erasure.purge_expired_files(session, cutoff, purge.dry_run))


def _video_records(session: Session, purge: Purge) -> None:
    purge.add("video_records", videos.purge_fileless_records(session, purge.dry_run))


def _expired_tokens(session: Session, purge: Purge) -> None:
    purge.add("expired_tokens", erase_expired_tokens(session, purge.dry_run))


def _webhook_deliveries(session: Session, purge: Purge) -> None:
    cutoff = _days("WEBHOOK_RETENTION_DAYS")
    purge.add("webhook_deliveries", inbox.purge_processed(session, cutoff, purge.dry_run))


def _unverified_requests(session: Session, purge: Purge) -> None:
    days = int(current_app.config["DELETION_UNVERIFIED_DAYS"])
    query = select(DeletionRequest).where(
        DeletionRequest.status == RequestStatus.RECEIVED,
        DeletionRequest.received_at < _days("DELETION_UNVERIFIED_DAYS"),
    )
    for req in session.scalars(query).all():
        purge.add("unverified_requests", 1)
        if not purge.dry_run:
            reason = f"Ownership was not verified within {days} days, so nothing was deleted."
            services.lock(session, req)
            if req.status == RequestStatus.RECEIVED:
                services.close(session, req, RequestStatus.REJECTED, reason)
            else:
                session.commit()


def _old_receipts(session: Session, purge: Purge) -> None:
    if not purge.dry_run:
        db.begin_write(session)
    query = select(DeletionRequest.id).where(
        DeletionRequest.status.in_([RequestStatus.COMPLETED, RequestStatus.REJECTED]),
        DeletionRequest.received_at < _days("DELETION_RECEIPT_DAYS"),
    )
    ids = session.scalars(query).all()
    purge.add("deletion_receipts", len(ids))
    if ids and not purge.dry_run:
        session.execute(delete(DeletionRequest).where(DeletionRequest.id.in_(ids)))
    session.commit()


def _expired_sessions(session: Session, purge: Purge) -> None:
    purge.add("staff_sessions", auth_erasure.purge_expired_sessions(session, purge.dry_run))


def _oauth_flows(session: Session, purge: Purge) -> None:
    purge.add("oauth_flows", purge_expired_flows(session, purge.dry_run))


def _deletion_links_and_holds(session: Session, purge: Purge) -> None:
    if not purge.dry_run:
        db.begin_write(session)
    for model in (DeletionLink, DeletionBrowser):
        ids = session.scalars(select(model.id).where(model.expires_at < db.utcnow())).all()
        purge.add(model.__tablename__, len(ids))
        if ids and not purge.dry_run:
            session.execute(delete(model).where(model.id.in_(ids)))
    session.commit()


def _outbox(session: Session, purge: Purge) -> None:
    folder: Path = mail.outbox_path()
    if not folder.is_dir():
        return
    cutoff = time.time() - int(current_app.config["OUTBOX_RETENTION_DAYS"]) * 86400
    for path in folder.glob("*.eml"):
        if path.stat().st_mtime < cutoff:
            purge.add("outbox_mail", 1)
            if not purge.dry_run:
                path.unlink(missing_ok=True)


def _unconnected_audit(session: Session, purge: Purge) -> None:
    """Contents of TikTok exchanges by the public with no connected account (someone revoking,
    or verifying as an account we do not hold): their open_id and display name."""
    cutoff = _days("UNCONNECTED_AUDIT_DAYS")
    count = audit_erasure.erase_unconnected(session, cutoff, purge.dry_run)
    purge.add("unconnected_audit_payloads", count)


def _audit_log(session: Session, purge: Purge) -> None:
    """Whole sealed segments of the audit log past AUDIT_RETENTION_DAYS (see audit.retention)."""
    session.commit()  # the drop takes the audit writer lock on its own connection
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    purge.add("audit_entries", audit_retention.drop(app, purge.dry_run))


def _contact_messages(session: Session, purge: Purge) -> None:
    purge.add("contact_messages", contact.purge(session, purge.dry_run))


def _ledger(session: Session, purge: Purge) -> None:
    # Entries older than every kept backup have nothing left to erase after a restore.
    purge.add("ledger_entries", ledger.drop_before(_days("BACKUP_RETENTION_DAYS"), purge.dry_run))


STEPS: tuple[Callable[[Session, Purge], None], ...] = (
    _video_files,
    _video_records,
    _expired_tokens,
    _webhook_deliveries,
    _unverified_requests,
    _old_receipts,
    _expired_sessions,
    _oauth_flows,
    _deletion_links_and_holds,
    _outbox,
    _unconnected_audit,
    _audit_log,
    _contact_messages,
    _ledger,
)


def purge(session: Session, dry_run: bool = False, actor: Actor | None = None) -> Purge:
    """Apply every retention period; with ``dry_run`` only count."""
    result = Purge(dry_run=dry_run)
    for step in STEPS:
        step(session, result)
    if not dry_run and result.total:
        record(
            Action.RETENTION_PURGED,
            actor=actor or Actor.job("privacy.retention"),
            summary=f"retention purge removed {result.total} item(s)",
            payload={"counts": result.counts},
        )
        checkpoint(session)
    return result
