"""Tamper-evident audit log: record(), record_exchange(), actors, the per-request scope."""

from __future__ import annotations

from flask import Blueprint, Flask

from studio.audit import guard, listeners  # noqa: F401  (records what auth announces)
from studio.audit.actions import AccountChoices, Action
from studio.audit.cli import audit_cli
from studio.audit.exchanges import record_exchange
from studio.audit.present import actor_name, plain, show
from studio.audit.recorder import Actor, AuditWriteError, append_own, record, scope

bp = Blueprint("audit", __name__, url_prefix="/audit")


def init_app(app: Flask, account_choices: AccountChoices) -> None:
    """The viewer, commands, template helpers and the SQLite write-lock guard.

    `account_choices(session)` lists the connected accounts for the viewer's filter (the
    platforms own them, and sit above this room).
    """
    app.extensions["audit"] = {"account_choices": account_choices}
    app.register_blueprint(bp)
    app.cli.add_command(audit_cli)
    app.jinja_env.globals["audit_show"] = show
    app.jinja_env.globals["audit_plain"] = plain
    app.jinja_env.globals["audit_actor"] = actor_name
    guard.install(app, append_own)


__all__ = ["Action", "Actor", "AuditWriteError", "record", "record_exchange", "scope"]

from studio.audit import tasks, views  # noqa: E402,F401
