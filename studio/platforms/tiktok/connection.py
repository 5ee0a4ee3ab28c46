"""The TikTok client as the app uses it, and where its exchanges go (the audit log)."""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Iterator

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from studio.audit import record_exchange, scope
from studio.platforms.models import Account
from studio.platforms.tiktok.client import TikTokClient
from studio.transport import Exchange

_held: contextvars.ContextVar[list[Exchange] | None] = contextvars.ContextVar(
    "tiktok_held_exchanges", default=None
)


def report_exchange(exchange: Exchange) -> None:
    """Hand an exchange to the audit recorder (fails closed: its errors propagate).

    Inside `holding_exchanges()` the exchange is kept until the account it belongs to is
    known (see `release_exchanges`).
    """
    held = _held.get()
    if held is not None:
        held.append(exchange)
        return
    record_exchange(exchange)


def held_exchanges() -> list[Exchange] | None:
    """The exchanges held so far inside `holding_exchanges()`, or None outside it."""
    return _held.get()


def is_holding() -> bool:
    """True inside `holding_exchanges()`."""
    return _held.get() is not None


@contextlib.contextmanager
def holding_exchanges() -> Iterator[list[Exchange]]:
    """Keep exchanges made inside the block; whatever is not released is recorded at exit.

    Used while connecting: the sign-in exchanges carry the account's identity, so they are
    recorded with its account_id (erasable with the account) once the row exists.
    """
    held: list[Exchange] = []
    token = _held.set(held)
    try:
        yield held
    finally:
        _held.reset(token)
        release_exchanges(held, None)


def release_exchanges(held: list[Exchange], account_id: int | None) -> None:
    """Record the held exchanges now, tied to `account_id`."""
    pending, held[:] = list(held), []
    saved = _held.set(None)
    try:
        with scope(account_id=account_id) if account_id else contextlib.nullcontext():
            for exchange in pending:
                report_exchange(exchange)
    finally:
        _held.reset(saved)


def get_client(hook: Callable[[Exchange], None] | None = None) -> TikTokClient:
    """A client configured from the app, reporting every exchange to the audit log."""
    cfg = current_app.config
    return TikTokClient(
        client_key=cfg["TIKTOK_CLIENT_KEY"],
        client_secret=cfg["TIKTOK_CLIENT_SECRET"],
        api_base=cfg["TIKTOK_API_BASE"],
        auth_url=cfg["TIKTOK_AUTH_URL"],
        timeout=float(cfg["TIKTOK_TIMEOUT"]),
        hook=hook or report_exchange,
    )


def account_by_open_id(session: Session, open_id: str) -> Account | None:
    """One account by TikTok's open_id."""
    return session.scalar(select(Account).where(Account.remote_id == open_id))
