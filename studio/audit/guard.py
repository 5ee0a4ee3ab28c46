"""Tracks which sessions hold SQLite's write lock, and re-records entries a rollback dropped.

A SQLite session holds the write lock from its first write (flush, DML, or ``begin_write``'s
BEGIN IMMEDIATE) until its transaction ends. ``record()`` joins such a session instead of
waiting on a second connection for a lock the caller will not release.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction
from sqlalchemy.sql.elements import TextClause

log = logging.getLogger("studio.audit")

_WRITING = "audit_writes"
_JOINED = "audit_joined"
_DML = ("insert", "update", "delete", "replace")


def holds_sqlite_write_lock(session: Session) -> bool:
    """True when ``session`` is on SQLite and holds the write lock now."""
    return bool(session.info.get(_WRITING)) and session.in_transaction()


def must_join(session: Session) -> bool:
    """True when an entry must be written inside ``session``'s SQLite transaction.

    That is when it holds the write lock, has pending changes (they would flush into it), or
    its transaction belongs to a ``with session.begin():`` block that only its owner may end.
    """
    if holds_sqlite_write_lock(session) or session.new or session.dirty or session.deleted:
        return True
    return getattr(session, "_trans_context_manager", None) is not None


def remember_joined(session: Session, spec: Any) -> None:
    """Keep an entry appended inside ``session`` until that transaction commits."""
    session.info.setdefault(_JOINED, []).append(spec)


def install(app: Flask, append_own: Callable[[Flask, Any], Any]) -> None:
    """Listen to the app's session factory (SQLite only; PostgreSQL never joins).

    `append_own` is the recorder's own-transaction append (passed in: the recorder imports
    this module).
    """
    if not app.config["DATABASE_URL"].startswith("sqlite"):
        return
    factory = app.extensions["db"]["factory"]
    if factory.__dict__.get("_audit_guard"):
        return
    factory._audit_guard = True

    @event.listens_for(factory, "after_begin")
    def _began(session: Session, _tx: SessionTransaction, connection: Any) -> None:
        if connection.get_execution_options().get("sqlite_immediate"):
            session.info[_WRITING] = True

    @event.listens_for(factory, "after_flush")
    def _flushed(session: Session, _ctx: Any) -> None:
        session.info[_WRITING] = True

    @event.listens_for(factory, "do_orm_execute")
    def _executed(state: ORMExecuteState) -> None:
        if state.is_insert or state.is_update or state.is_delete or _is_text_dml(state):
            state.session.info[_WRITING] = True

    @event.listens_for(factory, "after_commit")
    def _committed(session: Session) -> None:
        session.info.pop(_JOINED, None)

    @event.listens_for(factory, "after_transaction_end")
    def _ended(session: Session, tx: SessionTransaction) -> None:
        if tx.parent is not None:
            return
        session.info.pop(_WRITING, None)
        dropped = session.info.pop(_JOINED, None)
        if dropped:
            _rerecord(app, dropped, append_own)


def _is_text_dml(state: ORMExecuteState) -> bool:
    stmt = state.statement
    return isinstance(stmt, TextClause) and stmt.text.lstrip()[:7].lower().startswith(_DML)


def _rerecord(app: Flask, specs: list[Any], append_own: Callable[[Flask, Any], Any]) -> None:
    # The caller rolled back (or closed) the transaction that held these entries; what they
    # describe was attempted, so they are written again, now that the lock is free.
    for spec in specs:
        try:
            append_own(app, spec)
        except Exception:  # noqa: BLE001 - a rollback path must not raise
            log.exception("audit entry %s lost after the caller's rollback", spec.kind)
