"""The dashboard panel: which YouTube channel is connected and whether it is healthy."""

from __future__ import annotations

from flask import current_app

from studio import db
from studio.panels import Panel
from studio.platforms.models import AccountStatus
from studio.platforms.youtube.connection import connected_accounts, enabled


def youtube_panel() -> Panel | None:
    """Only when YouTube is enabled: connected / needs reconnect (in red) / nothing connected."""
    if not enabled(current_app.config):
        return None
    accounts = connected_accounts(db.session)
    if not accounts:
        return Panel(
            "YouTube channel",
            ["No YouTube channel is connected yet."],
            "youtube.index",
            "Connect YouTube",
            tone="warn",
            order=11,
        )
    broken = [a for a in accounts if a.status == AccountStatus.NEEDS_RECONNECT]
    lines = [
        f"{a.display_name or a.remote_id}: "
        + ("needs reconnect" if a.status == AccountStatus.NEEDS_RECONNECT else "connected")
        for a in accounts
    ]
    if broken:
        lines.append("Google no longer accepts the stored authorization. An admin must reconnect.")
    return Panel(
        "YouTube channel",
        lines,
        "youtube.index",
        "Reconnect" if broken else "Open channel",
        tone="bad" if broken else "good",
        order=11,
    )
