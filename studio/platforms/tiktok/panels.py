"""The dashboard panel: which TikTok account is connected and whether it is healthy."""

from __future__ import annotations

from studio import db
from studio.panels import Panel
from studio.platforms.panels import accounts_panel
from studio.platforms.tiktok.services import connected_accounts


def tiktok_panel() -> Panel:
    """Connected / needs reconnect (in red) / nothing connected."""
    return accounts_panel(
        "TikTok account",
        connected_accounts(db.session),
        "tiktok.index",
        "No TikTok account is connected yet. Drafts can be sent once an admin connects one.",
        "TikTok no longer accepts the stored authorization. An admin must reconnect.",
        order=10,
    )
