"""Appending to the chain under a database-wide writer lock, and the chain's head."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.engine import Connection

from studio.audit import chain
from studio.audit.models import AuditEntry
from studio.db import utcnow

TABLE = AuditEntry.__table__
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
    tiktok_code: str | None = None
    log_id: str | None = None
    error: str | None = None
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


def head(conn: Connection) -> tuple[int, str, dt.datetime | None]:
    """(seq, hash, time) of the newest entry; (0, GENESIS, None) for an empty chain."""
    row = conn.execute(_HEAD).first()
    return (row.seq, row.hash, row.at) if row else (0, chain.GENESIS, None)


def append(conn: Connection, spec: Spec) -> int:
    """Place one entry after the head; the caller holds the writer lock. Returns its seq."""
    last_seq, prev_hash, last_at = head(conn)
    at = utcnow()
    if last_at is not None and at < last_at:
        at = last_at  # a clock step back must not make time run backwards along the chain
    row = build_row(last_seq + 1, at, prev_hash, spec)
    conn.execute(insert(TABLE), row)
    return row["seq"]


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
        "tiktok_code": spec.tiktok_code,
        "log_id": spec.log_id,
        "error": spec.error,
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
