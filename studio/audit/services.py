"""Query services for the viewer, the post timeline and exports; payload erasure.

Visibility is enforced here, not in views: admins see every entry, staff only entries whose
actor is themselves (the post timeline adds the automated work on a post; see entries_for_post).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, fields
from typing import Any, Protocol

from sqlalchemy import ColumnElement, Select, and_, false, func, or_, select, update
from sqlalchemy.orm import Session

from studio.audit.models import AuditEntry
from studio.db import rowcount, utcnow

PAGE_SIZE = 50
ACTOR_KINDS = ("user", "job", "webhook", "public", "system")


class Viewer(Protocol):
    """Who is looking: a staff User."""

    @property
    def id(self) -> int: ...

    @property
    def is_admin(self) -> bool: ...


@dataclass(frozen=True)
class ViewerSnapshot:
    """A viewer detached from any session (for work that outlives the request)."""

    id: int
    is_admin: bool


@dataclass
class Filters:
    """The viewer's filters; every one is optional."""

    account_id: int | None = None
    kind: str | None = None
    actor: str | None = None  # "user:<id>" or an actor kind ("job", "webhook", ...)
    errors_only: bool = False
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    text: str | None = None  # in the endpoint (or the summary)
    post_id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        """Non-empty filters, for links, export parameters and the export's own entry."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value in (None, "", False):
                continue
            out[f.name] = value.isoformat() if isinstance(value, dt.datetime) else value
        return out


@dataclass
class Page:
    """One page of entries, newest first, with keyset cursors."""

    entries: list[AuditEntry]
    older: int | None  # pass as before= for the next (older) page
    newer: int | None  # pass as after= for the previous (newer) page


def visibility(viewer: Viewer) -> list[ColumnElement[bool]]:
    """Admins: no restriction. Staff: only their own actions."""
    if viewer.is_admin:
        return []
    return [AuditEntry.actor_kind == "user", AuditEntry.actor_id == str(viewer.id)]


def conditions(session: Session, filters: Filters) -> list[ColumnElement[bool]]:
    """SQL conditions for ``filters``; the time range becomes a seq range (time follows seq)."""
    where: list[ColumnElement[bool]] = []
    if filters.account_id is not None:
        where.append(AuditEntry.account_id == filters.account_id)
    if filters.post_id is not None:
        where.append(AuditEntry.post_id == filters.post_id)
    if filters.kind:
        where.append(AuditEntry.kind == filters.kind)
    if filters.actor:
        kind, _, actor_id = filters.actor.partition(":")
        where.append(AuditEntry.actor_kind == kind)
        if actor_id:
            where.append(AuditEntry.actor_id == actor_id)
    if filters.errors_only:
        where.append(AuditEntry.status == "error")
    if filters.text:
        pattern = "%" + _escape_like(filters.text.strip()) + "%"
        where.append(
            or_(
                AuditEntry.endpoint.like(pattern, escape="\\"),
                AuditEntry.summary.like(pattern, escape="\\"),
            )
        )
    if filters.since is not None:
        first = session.scalar(
            select(AuditEntry.seq)
            .where(AuditEntry.at >= filters.since)
            .order_by(AuditEntry.at, AuditEntry.seq)
            .limit(1)
        )
        where.append(AuditEntry.seq >= first if first is not None else false())
    if filters.until is not None:
        last = session.scalar(
            select(AuditEntry.seq)
            .where(AuditEntry.at <= filters.until)
            .order_by(AuditEntry.at.desc(), AuditEntry.seq.desc())
            .limit(1)
        )
        where.append(AuditEntry.seq <= last if last is not None else false())
    return where


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _query(session: Session, viewer: Viewer, filters: Filters) -> Select[Any]:
    where = visibility(viewer) + conditions(session, filters)
    return select(AuditEntry).where(and_(True, *where))


def list_entries(
    session: Session,
    viewer: Viewer,
    filters: Filters,
    before: int | None = None,
    after: int | None = None,
    limit: int = PAGE_SIZE,
) -> Page:
    """One page, newest first; ``before``/``after`` are keyset cursors (seq values)."""
    query = _query(session, viewer, filters)
    if after is not None:
        rows = session.scalars(
            query.where(AuditEntry.seq > after).order_by(AuditEntry.seq).limit(limit + 1)
        ).all()
        more_newer = len(rows) > limit
        entries = list(reversed(rows[:limit]))
        older = entries[-1].seq if entries else None
        return Page(entries, older, entries[0].seq if entries and more_newer else None)
    if before is not None:
        query = query.where(AuditEntry.seq < before)
    rows = session.scalars(query.order_by(AuditEntry.seq.desc()).limit(limit + 1)).all()
    entries = list(rows[:limit])
    older = entries[-1].seq if len(rows) > limit else None
    newer = entries[0].seq if entries and before is not None else None
    return Page(entries, older, newer)


def get_entry(session: Session, seq: int, viewer: Viewer) -> AuditEntry | None:
    """One entry, or None when it does not exist or the viewer may not see it."""
    query = select(AuditEntry).where(AuditEntry.seq == seq, *visibility(viewer))
    return session.scalar(query)


def entries_for_post(
    session: Session, post_id: int, viewer: Viewer, limit: int = 500
) -> list[AuditEntry]:
    """A post's entries, oldest first, for the post page's timeline.

    The posts room shows this only to viewers allowed to see the post. Staff then see their own
    actions and the automated work on the post (jobs, webhooks, system), but not what other
    staff members did; admins see everything.
    """
    query = select(AuditEntry).where(AuditEntry.post_id == post_id)
    if not viewer.is_admin:
        query = query.where(
            or_(
                AuditEntry.actor_kind.in_(("job", "webhook", "system")),
                and_(AuditEntry.actor_kind == "user", AuditEntry.actor_id == str(viewer.id)),
            )
        )
    return list(session.scalars(query.order_by(AuditEntry.seq).limit(limit)))


def iter_rows(
    session: Session, viewer: Viewer, filters: Filters, batch: int = 1000
) -> Iterator[Any]:
    """Every matching entry as a plain row, oldest first, in keyset batches (for exports)."""
    table = AuditEntry.__table__
    where = visibility(viewer) + conditions(session, filters)
    last = 0
    while True:
        query = (
            select(table)
            .where(and_(True, *where), table.c.seq > last)
            .order_by(table.c.seq)
            .limit(batch)
        )
        rows = session.execute(query).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].seq


def erase_payloads(session: Session, account_id: int) -> int:
    """Erase payload and salt of every entry tied to ``account_id``; the chain still verifies.

    The only write path to existing entries. Runs in the caller's transaction (the caller
    commits); returns how many payloads were erased.
    """
    result = session.execute(
        update(AuditEntry)
        .where(AuditEntry.account_id == account_id, AuditEntry.payload.is_not(None))
        .values(payload=None, salt=None, erased_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return rowcount(result) or 0


def erase_payloads_matching(session: Session, needles: list[str]) -> int:
    """Erase the payloads that contain any of ``needles`` (e.g. an open_id), whatever account.

    For entries recorded before an account row existed (sign-in exchanges, identity checks).
    Needles shorter than 6 characters are ignored: they would match unrelated entries. Scans
    the payload column in the database; runs in the caller's transaction.
    """
    patterns = [
        AuditEntry.payload.like("%" + _escape_like(n) + "%", escape="\\")
        for n in needles
        if n and len(n) >= 6
    ]
    if not patterns:
        return 0
    result = session.execute(
        update(AuditEntry)
        .where(AuditEntry.payload.is_not(None), or_(*patterns))
        .values(payload=None, salt=None, erased_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return rowcount(result) or 0


def erase_payloads_by_seq(session: Session, seqs: list[int]) -> int:
    """Erase payload and salt of the entries ``seqs`` (chosen by a retention rule).

    Runs in the caller's transaction; returns how many payloads were erased.
    """
    if not seqs:
        return 0
    result = session.execute(
        update(AuditEntry)
        .where(AuditEntry.seq.in_(seqs), AuditEntry.payload.is_not(None))
        .values(payload=None, salt=None, erased_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return rowcount(result) or 0


def entry_count(session: Session) -> int:
    """Entries in the chain (seq is dense, so the newest seq is the count)."""
    return session.scalar(select(func.max(AuditEntry.seq))) or 0
