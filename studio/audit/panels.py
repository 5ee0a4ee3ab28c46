"""The audit room's dashboard panel: chain size and the last seal."""

from __future__ import annotations

import datetime as dt

from flask import current_app
from flask_login import current_user

from studio import db
from studio.audit import seals, services
from studio.db import utcnow
from studio.panels import Panel
from studio.templating import format_datetime

STALE_SEAL = dt.timedelta(minutes=30)


def audit_panel() -> Panel | None:
    """Admins: entries and seal freshness. Staff: a pointer to their own entries."""
    if not current_user.is_authenticated:
        return None
    if not current_user.is_admin:
        return Panel(
            "Audit log",
            ["Every action you take and every TikTok call it causes is recorded."],
            "audit.index",
            "See your entries",
            order=80,
        )
    count = services.entry_count(db.session)
    last = seals.last_seal(current_app)
    lines = [f"{count:,} entries, protected against changes."]
    tone = "good"
    if last is None:
        lines.append("No checkpoint saved yet.")
        tone = "warn" if count else "neutral"
    else:
        at = seals.sealed_at(last)
        lines.append(f"Checkpoint saved through entry {last.seq:,} at {format_datetime(at)}.")
        if last.seq < count and utcnow() - at > STALE_SEAL:
            tone = "warn"
            lines.append("The newest entries are waiting for a checkpoint; is the worker running?")
    return Panel("Audit log", lines, "audit.index", "Open the audit log", tone=tone, order=80)
