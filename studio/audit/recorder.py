"""record(): the one way into the audit chain, with actors and the per-context scope.

Each entry is written in its own short transaction on its own connection, so recording never
commits or rolls back the caller's work and a caller's rollback does not lose the entry. One
exception, on SQLite only, for the caller's session (the app context's ``db.session`` or the
``session`` argument):
- if it holds the database's write lock (it has flushed or executed DML, or began with
  ``db.begin_write``) or has pending changes, a second connection could only wait for that lock
  until busy_timeout. Then the entry is appended inside the caller's transaction (in a
  savepoint) and commits with it; if the caller rolls back instead, the entry is written again
  on its own once the lock is free (see ``guard``). The same happens inside a
  ``with session.begin():`` block, whose transaction only its owner may end;
- if it is only reading, its snapshot is ended first (a no-op for the caller: nothing pending,
  expire_on_commit off); otherwise its next write would fail with SQLITE_BUSY_SNAPSHOT because
  the audit commit moved the database past its snapshot.
PostgreSQL never joins: read committed has no stale snapshots and appenders lock separately.

If the entry cannot be written, ``AuditWriteError`` is raised: the work fails closed.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from flask import Flask, current_app, g, has_app_context, has_request_context
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from studio import jobs
from studio.audit import guard, store
from studio.audit.redact import Redactor

log = logging.getLogger("studio.audit")

STATUSES = ("ok", "error")


class AuditWriteError(RuntimeError):
    """The entry could not be written; the action it describes must not go ahead."""


@dataclass(frozen=True)
class Actor:
    """Who caused an entry: a staff user, a job, a webhook, the public or the system."""

    kind: str
    id: str | None = None
    label: str | None = None

    @classmethod
    def user(cls, user: Any) -> Actor:
        # Pseudonymous: the chain cannot be rewritten, so it never holds a staff member's
        # address; the viewer shows the current address of a live account (``actor_name``).
        return cls("user", str(user.id), f"staff #{user.id}")

    @classmethod
    def job(cls, name: str) -> Actor:
        return cls("job", name)

    @classmethod
    def webhook(cls, source: str = "tiktok") -> Actor:
        return cls("webhook", source)

    @classmethod
    def public(cls) -> Actor:
        return cls("public")

    @classmethod
    def system(cls, name: str = "cli") -> Actor:
        return cls("system", name)


@dataclass(frozen=True)
class Scope:
    """Context that entries recorded inside it inherit."""

    actor: Actor | None = None
    account_id: int | None = None
    post_id: int | None = None
    job_id: str | None = None


_EMPTY = Scope()
_scope: contextvars.ContextVar[Scope] = contextvars.ContextVar("audit_scope", default=_EMPTY)  # noqa: B039


@contextlib.contextmanager
def scope(**changes: Any) -> Iterator[Scope]:
    """Set actor/account/post/job for every entry recorded inside the block."""
    token = _scope.set(replace(_scope.get(), **changes))
    try:
        yield _scope.get()
    finally:
        _scope.reset(token)


def current_scope() -> Scope:
    """The scope in force here."""
    return _scope.get()


def record(
    action: str,
    *,
    summary: str = "",
    payload: dict[str, Any] | None = None,
    status: str = "ok",
    session: Session | None = None,
    **fields: Any,
) -> int:
    """Record one audit entry; returns its seq. Raises AuditWriteError when it cannot.

    ``fields``: actor, account_id, post_id, job_id (defaults from ``scope()``), and the
    exchange summary fields method, endpoint, http_status, duration_ms, platform_code, log_id,
    error. ``payload`` is redacted before it is stored. ``session`` names the caller's session
    when it is not the app context's ``db.session``.
    """
    app = _app()
    redactor = Redactor(known_secrets(app))
    clean = redactor(payload or {})
    spec = build_spec(str(action), summary, status, fields, store.encode_payload(clean), redactor)
    return write(app, spec, session)


def build_spec(
    action: str,
    summary: str,
    status: str,
    fields: dict[str, Any],
    payload: str,
    redactor: Redactor,
) -> store.Spec:
    """Merge the scope into the fields, normalise types and scrub every stored string."""
    if status not in STATUSES:
        raise ValueError(f"audit status must be one of {STATUSES}, not {status!r}")
    here = _scope.get()
    actor = fields.pop("actor", None) or here.actor or default_actor()
    values = {
        "account_id": fields.pop("account_id", here.account_id),
        "post_id": fields.pop("post_id", here.post_id),
        "job_id": fields.pop("job_id", here.job_id),
    }
    values.update(fields)  # unknown names fail in Spec(...) below: a caller's typo is loud
    duration = values.get("duration_ms")
    for name in ("account_id", "post_id", "http_status"):
        if values.get(name) is not None:
            values[name] = int(values[name])
    values["duration_ms"] = None if duration is None else round(float(duration), 1)
    for name in ("job_id", "method", "endpoint", "platform_code", "log_id", "error", "platform"):
        if values.get(name) is not None:
            values[name] = _text(redactor, str(values[name]))
    return store.Spec(
        kind=action,
        status=status,
        actor_kind=actor.kind,
        actor_id=None if actor.id is None else _text(redactor, str(actor.id)),
        actor_label=None if actor.label is None else _text(redactor, actor.label),
        summary=_text(redactor, summary),
        payload=payload,
        **values,
    )


def default_actor() -> Actor:
    """Who caused an entry when neither the call nor the scope says: the signed-in user of
    the current request, the public in an anonymous request, else the system."""
    if has_request_context():
        from flask_login import current_user

        if current_user and current_user.is_authenticated:
            return Actor.user(current_user)
        return Actor.public()
    return Actor.system("unscoped")


def _text(redactor: Redactor, value: str) -> str:
    # PostgreSQL rejects NUL in text; the entry must still be written.
    return redactor.scrub(value.replace("\x00", "\ufffd"))


def write(app: Flask, spec: store.Spec, session: Session | None = None) -> int:
    """Append ``spec`` (joined to a SQLite writer session, or in its own transaction)."""
    caller = session if session is not None else _request_session()
    try:
        if caller is not None and _on_sqlite_mid_transaction(caller):
            if guard.must_join(caller):
                return _append_joined(caller, spec)
            # A read-only snapshot: ending it changes nothing for the caller (no pending work,
            # expire_on_commit is off) and spares it SQLITE_BUSY_SNAPSHOT when it writes later.
            caller.commit()
        return append_own(app, spec)
    except SQLAlchemyError as exc:
        log.error("audit write failed for %s: %s", spec.kind, exc.__class__.__name__)
        raise AuditWriteError(f"audit entry {spec.kind} could not be written") from exc


def append_own(app: Flask, spec: store.Spec) -> int:
    """Append in a short transaction of its own (BEGIN IMMEDIATE / advisory lock)."""
    engine = app.extensions["db"]["engine"]
    prepared = store.prepare(engine, spec)  # hashed before the lock is taken
    with engine.connect() as conn:
        conn.execution_options(sqlite_immediate=True)
        with conn.begin():
            store.lock(conn)
            row = store.append(conn, spec, prepared)
    store.remember(engine, row)
    return row["seq"]


def _append_joined(caller: Session, spec: store.Spec) -> int:
    with caller.begin_nested():
        row = store.append(caller.connection(), spec)
    guard.remember_joined(caller, spec)
    return row["seq"]


def _on_sqlite_mid_transaction(session: Session) -> bool:
    return session.in_transaction() and session.get_bind().dialect.name == "sqlite"


def _request_session() -> Session | None:
    return g.get("db_session") if has_app_context() else None


def _app() -> Flask:
    if has_app_context():
        return current_app._get_current_object()  # type: ignore[attr-defined]
    try:
        return jobs.current()
    except KeyError:
        raise AuditWriteError("audit entries need an application (no app context)") from None


# Config keys holding secrets: every platform's client/app secret, the keys of the app itself.
SECRET_SUFFIXES = ("_SECRET", "SECRET_KEY", "_SEAL_KEY", "VAULT_KEYS")


def known_secrets(app: Flask) -> list[str]:
    """Live secret values from the configuration that must never appear in an entry."""
    found: list[str] = []
    for name in sorted(k for k in app.config if k.endswith(SECRET_SUFFIXES)):
        value = app.config.get(name)
        if isinstance(value, str):
            found.extend(part.strip() for part in value.split(",") if part.strip())
    return found
