"""Appending to the chain under a database-wide writer lock, and the chain's head.

Each process remembers the head it last saw per engine (``Head``), so an append normally reads
nothing: the row is built and hashed before the transaction opens, and inserted with a guard
that the remembered head is still the newest entry. When another process appended in between
(or the head is unknown), the guard inserts nothing and the head is read under the lock.
"""

from __future__ import annotations

import datetime as dt
import json
import weakref
from dataclasses import dataclass
from typing import Any, NamedTuple, cast

from sqlalchemy import Table, bindparam, exists, insert, select, text
from sqlalchemy.engine import Connection, Engine

from studio.audit import chain
from studio.audit.models import AuditEntry
from studio.db import utcnow

TABLE = cast(Table, AuditEntry.__table__)  # a declarative model's table is a Table
_HEAD = select(TABLE.c.seq, TABLE.c.hash, TABLE.c.at).order_by(TABLE.c.seq.desc()).limit(1)
# Any constant works; it only has to be the same in every process appending to this database.
PG_LOCK_KEY = 0x5354_4155_4449_54


@dataclass(frozen=True)
class Spec:
    """An entry before it is placed in the chain (everything but seq, time and hashes)."""

    kind: str
    status: str
    actor_kind: str
    actor_id: str | None
    actor_label: str | None
    account_id: int | None
    post_id: int | None
    job_id: str | None
    summary: str
    method: str | None = None
    endpoint: str | None = None
    http_status: int | None = None
    duration_ms: float | None = None
    platform_code: str | None = None
    log_id: str | None = None
    error: str | None = None
    platform: str | None = None
    payload: str = "{}"


def encode_payload(payload: Any) -> str:
    """The stored JSON text of a (redacted) payload."""
    return json.dumps(payload if payload is not None else {}, ensure_ascii=False, default=str)


def lock(conn: Connection) -> None:
    """Serialise appenders: PostgreSQL takes a transaction-scoped advisory lock.

    SQLite needs nothing here: the transaction was opened with BEGIN IMMEDIATE.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": PG_LOCK_KEY})


class Head(NamedTuple):
    """The newest entry: (seq, hash, time); (0, GENESIS, None) for an empty chain."""

    seq: int
    hash: str
    at: dt.datetime | None


_HEADS: weakref.WeakKeyDictionary[Engine, Head] = weakref.WeakKeyDictionary()
# INSERT ... SELECT <the row> WHERE entry seq-1 has hash prev_hash AND nothing from seq on.
_GUARDED = (
    insert(TABLE)
    .from_select(
        [c.name for c in TABLE.columns],
        select(*[bindparam(c.name, type_=c.type) for c in TABLE.columns]).where(
            exists().where(
                TABLE.c.seq == bindparam("seq", type_=TABLE.c.seq.type) - 1,
                TABLE.c.hash == bindparam("prev_hash", type_=TABLE.c.prev_hash.type),
            ),
            ~exists().where(TABLE.c.seq >= bindparam("seq", type_=TABLE.c.seq.type)),
        ),
    )
    .execution_options(preserve_rowcount=True)
)  # rowcount of an INSERT is not kept otherwise


def head(conn: Connection) -> Head:
    """The newest entry (read from the database)."""
    row = conn.execute(_HEAD).first()
    return Head(row.seq, row.hash, row.at) if row else Head(0, chain.GENESIS, None)


def prepare(engine: Engine, spec: Spec) -> dict[str, Any] | None:
    """The row for ``spec`` after the head this process last saw, or None if it saw none.

    Called before the transaction opens: the hashing is done outside the writer lock.
    """
    seen = _HEADS.get(engine)
    if seen is None or seen.seq == 0:
        return None
    return build_row(seen.seq + 1, _not_before(seen.at), seen.hash, spec)


def append(conn: Connection, spec: Spec, prepared: dict[str, Any] | None = None) -> dict[str, Any]:
    """Place one entry after the head; the caller holds the writer lock. Returns its row.

    ``prepared`` (from ``prepare``) is inserted if the head is still the one it was built on;
    otherwise the head is read and the row built again.
    """
    if prepared is not None and conn.execute(_GUARDED, prepared).rowcount == 1:
        return prepared
    last = head(conn)
    if prepared is not None and last.hash == prepared["hash"]:
        return prepared  # inserted after all (a driver that does not count rows)
    row = build_row(last.seq + 1, _not_before(last.at), last.hash, spec)
    conn.execute(insert(TABLE), row)
    return row


def remember(engine: Engine, row: dict[str, Any]) -> None:
    """Note a committed entry as the head (a hint: a stale one only costs a read)."""
    _HEADS[engine] = Head(row["seq"], row["hash"], row["at"])


def _not_before(last_at: dt.datetime | None) -> dt.datetime:
    at = utcnow()
    # A clock step back must not make time run backwards along the chain.
    return last_at if last_at is not None and at < last_at else at


def build_row(seq: int, at: dt.datetime, prev_hash: str, spec: Spec) -> dict[str, Any]:
    """The full row for ``spec`` at ``seq``, hashes included."""
    row: dict[str, Any] = {
        "seq": seq,
        "at": at,
        "kind": spec.kind,
        "status": spec.status,
        "actor_kind": spec.actor_kind,
        "actor_id": spec.actor_id,
        "actor_label": spec.actor_label,
        "account_id": spec.account_id,
        "post_id": spec.post_id,
        "job_id": spec.job_id,
        "summary": spec.summary,
        "method": spec.method,
        "endpoint": spec.endpoint,
        "http_status": spec.http_status,
        "duration_ms": spec.duration_ms,
        "platform_code": spec.platform_code,
        "log_id": spec.log_id,
        "error": spec.error,
        "platform": spec.platform,
    }
    salt = chain.new_salt()
    digest = chain.payload_digest(salt, spec.payload)
    row.update(
        payload=spec.payload,
        salt=salt,
        payload_digest=digest,
        prev_hash=prev_hash,
        hash=chain.entry_hash(prev_hash, chain.values_of(row), digest),
        erased_at=None,
    )
    return row
