"""Placeholder recorder (the audit room replaces it with the hash-chained store)."""

from __future__ import annotations

import contextlib
import contextvars
import logging
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

log = logging.getLogger("studio.audit")


@dataclass(frozen=True)
class Actor:
    """Who caused an entry: a staff user, a job, a webhook, the public or the system."""

    kind: str
    id: str | None = None
    label: str | None = None

    @classmethod
    def user(cls, user: Any) -> Actor:
        return cls("user", str(user.id), user.email)

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


def record(
    action: str,
    *,
    summary: str = "",
    payload: dict[str, Any] | None = None,
    status: str = "ok",
    **fields: Any,
) -> None:
    """Record one audit entry."""
    log.info("audit %s %s %s", action, status, summary)
