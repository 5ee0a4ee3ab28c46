"""The dashboard panel: which TikTok account is connected and whether it is healthy."""

from __future__ import annotations

from studio import db
from studio.panels import Panel
from studio.platforms.models import AccountStatus
from studio.platforms.tiktok.services import connected_accounts


def tiktok_panel() -> Panel:
    """Connected / needs reconnect (in red) / nothing connected."""
    accounts = connected_accounts(db.session)
    if not accounts:
        return Panel(
            "TikTok account",
            ["No TikTok account is connected yet. Drafts can be sent once an admin connects one."],
            "tiktok.index",
            "Connect TikTok",
            tone="warn",
            order=10,
        )
    broken = [a for a in accounts if a.status == AccountStatus.NEEDS_RECONNECT]
    lines = [
        f"{a.display_name or a.remote_id}: "
        + ("needs reconnect" if a.status == AccountStatus.NEEDS_RECONNECT else "connected")
        for a in accounts
    ]
    if broken:
        lines.append("TikTok no longer accepts the stored authorization. An admin must reconnect.")
    return Panel(
        "TikTok account",
        lines,
        "tiktok.index",
        "Reconnect" if broken else "Open account",
        tone="bad" if broken else "good",
        order=10,
    )
