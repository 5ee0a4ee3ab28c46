"""Where every platform client's exchanges go: the audit log, held while an account is unknown."""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator

from studio.audit import record_exchange, scope
from studio.transport import Exchange

_held: contextvars.ContextVar[list[Exchange] | None] = contextvars.ContextVar(
    "platform_held_exchanges", default=None
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
