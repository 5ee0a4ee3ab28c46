"""Erasing what the audit log holds about someone: entry contents, never the entries (chain)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from studio.audit import services
from studio.audit.models import AuditEntry
from studio.db import begin_write


def erase_for_account(session: Session, account_id: int) -> int:
    """Erase the payloads of entries tied to a platform account; the caller commits."""
    return services.erase_payloads(session, account_id)


def erase_for_subject(session: Session, identifiers: list[str]) -> int:
    """Erase the payloads that name one of ``identifiers`` (entries recorded before an account
    row existed: sign-in, verification); the caller commits."""
    return services.erase_payloads_matching(session, identifiers)


def erase_unconnected(session: Session, before: dt.datetime, dry_run: bool = False) -> int:
    """Erase the payloads of the public's exchanges tied to no account, written before
    ``before`` (retention: someone revoking, or verifying as an account we do not hold)."""
    if not dry_run:
        begin_write(session)
    query = select(AuditEntry.seq).where(
        AuditEntry.actor_kind == "public",
        AuditEntry.account_id.is_(None),
        AuditEntry.payload.is_not(None),
        AuditEntry.at < before,
    )
    seqs = list(session.scalars(query))
    if seqs and not dry_run:
        services.erase_payloads_by_seq(session, seqs)
    session.commit()
    return len(seqs)
