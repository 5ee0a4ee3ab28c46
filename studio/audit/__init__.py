"""Tamper-evident audit log: record(), record_exchange(), actors, the per-request scope."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Blueprint, Flask

from studio.audit.actions import Action
from studio.audit.recorder import Actor, AuditWriteError, record, scope

if TYPE_CHECKING:
    from studio.platforms.tiktok.exchange import Exchange

bp = Blueprint("audit", __name__, url_prefix="/audit")


def record_exchange(exchange: Exchange) -> int:
    """Record one TikTok HTTP exchange with secrets redacted; returns its seq.

    Imported lazily so that the TikTok room can import this package without a cycle.
    """
    from studio.audit.exchanges import record_exchange as _record_exchange

    return _record_exchange(exchange)


def init_app(app: Flask) -> None:
    """Commands, the SQLite write-lock guard and the dashboard panel."""
    from studio.audit import guard, panels  # noqa: F401
    from studio.audit.cli import audit_cli
    from studio.audit.present import actor_name, plain, show

    app.cli.add_command(audit_cli)
    app.jinja_env.globals["audit_show"] = show
    app.jinja_env.globals["audit_plain"] = plain
    app.jinja_env.globals["audit_actor"] = actor_name
    guard.install(app)


__all__ = ["Action", "Actor", "AuditWriteError", "record", "record_exchange", "scope"]

from studio.audit import views  # noqa: E402,F401
