"""Audit log retention: drop whole sealed segments older than AUDIT_RETENTION_DAYS.

A drop keeps the chain verifiable: it picks the newest seal made before the retention cutoff
(so all it covers is older; never the head: appending needs the newest entry), checks that
segment (a tampered one is kept as evidence), writes
an anchor line (the seal's seq and hash, MACed with AUDIT_SEAL_KEY) to the append-only file
``audit-drops.jsonl`` beside the seal file, then deletes every entry up to that seq. ``verify``
starts after the newest anchor, from its hash. Writing the anchor first makes a crash between
the two harmless: the next purge deletes what is left.
"""

from __future__ import annotations

import datetime as dt

from flask import Flask
from sqlalchemy import delete, func, select

from studio.audit import chain, seals, store, verify
from studio.audit.anchors import Anchor, anchor, path
from studio.audit.store import TABLE
from studio.db import utcnow


def droppable(app: Flask, now: dt.datetime | None = None) -> seals.Seal | None:
    """The newest seal past the retention before the head, beyond the current anchor."""
    kept = anchor(app)
    if isinstance(kept, str):
        return None  # a damaged anchor file: never drop more
    done = kept.seq if kept else 0
    cutoff = (now or utcnow()) - dt.timedelta(days=int(app.config["AUDIT_RETENTION_DAYS"]))
    engine = app.extensions["db"]["engine"]
    with engine.connect() as conn:
        head = store.head(conn).seq
        for item in sorted(_authentic_seals(app), key=lambda s: s.seq, reverse=True):
            if not done < item.seq < head or seals.sealed_at(item) >= cutoff:
                continue  # only seals made before the cutoff: all they cover is older
            row = conn.execute(select(TABLE.c.hash, TABLE.c.at).where(TABLE.c.seq == item.seq))
            found = row.first()
            if found is not None and found.hash == item.hash and _aware(found.at) < cutoff:
                return item
    return None


def drop(app: Flask, dry_run: bool = False, now: dt.datetime | None = None) -> int:
    """Drop the entries of the segment ``droppable`` names; how many (would be) dropped."""
    target = droppable(app, now)
    kept = anchor(app)
    if target is None:
        return _leftovers(app, kept, dry_run)
    if not _segment_intact(app, kept, target):
        return 0
    count = _count(app, target.seq)
    if dry_run:
        return count
    made = Anchor(target.seq, target.hash, chain.format_at(utcnow()), "")
    made = Anchor(made.seq, made.hash, made.at, seals.mac(app, made.message()))
    seals.append_line(
        path(app), {"seq": made.seq, "hash": made.hash, "at": made.at, "mac": made.mac}
    )
    _delete_through(app, target.seq)
    return count


def _leftovers(app: Flask, kept: Anchor | str | None, dry_run: bool) -> int:
    """Entries at or before the anchor still present (a drop interrupted by a crash)."""
    if not isinstance(kept, Anchor):
        return 0
    count = _count(app, kept.seq)
    if count and not dry_run:
        _delete_through(app, kept.seq)
    return count


def _segment_intact(app: Flask, kept: Anchor | str | None, target: seals.Seal) -> bool:
    """Never destroy evidence of tampering: the dropped segment must verify first."""
    first, prev = (kept.seq + 1, kept.hash) if isinstance(kept, Anchor) else (1, chain.GENESIS)
    hashes = {s.seq: (s.hash, s.at) for s in _authentic_seals(app) if first <= s.seq}
    engine = app.extensions["db"]["engine"]
    rows = verify.scan_range(engine, first, target.seq, verify.BATCH)
    return verify.walk(rows, first, target.seq, prev, hashes).problem is None


def _count(app: Flask, last: int) -> int:
    with app.extensions["db"]["engine"].connect() as conn:
        return conn.execute(select(func.count()).where(TABLE.c.seq <= last)).scalar() or 0


def _delete_through(app: Flask, last: int) -> None:
    engine = app.extensions["db"]["engine"]
    with engine.connect() as conn:
        conn.execution_options(sqlite_immediate=True)
        with conn.begin():
            store.lock(conn)  # no append is half-way while the segment goes
            conn.execute(delete(TABLE).where(TABLE.c.seq <= last))


def _authentic_seals(app: Flask) -> list[seals.Seal]:
    return [s for s in seals.read(app) if isinstance(s, seals.Seal) and seals.is_authentic(app, s)]


def _aware(at: dt.datetime) -> dt.datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=dt.UTC)
