"""The dashboard panel: which YouTube channel is connected and whether it is healthy."""

from __future__ import annotations

from flask import current_app

from studio import db
from studio.panels import Panel
from studio.platforms.panels import accounts_panel
from studio.platforms.youtube.connection import connected_accounts, enabled


def youtube_panel() -> Panel | None:
    """Only when YouTube is enabled: connected / needs reconnect (in red) / nothing connected."""
    if not enabled(current_app.config):
        return None
    return accounts_panel(
        "YouTube channel",
        connected_accounts(db.session),
        "youtube.index",
        "No YouTube channel is connected yet.",
        "Google no longer accepts the stored authorization. An admin must reconnect.",
        order=11,
    )
