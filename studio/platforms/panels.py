"""The dashboard card every platform shows: its accounts and whether they are healthy."""

from __future__ import annotations

from studio.panels import Panel
from studio.platforms.models import Account, AccountStatus


def accounts_panel(
    title: str, accounts: list[Account], endpoint: str, empty: str, broken: str, order: int
) -> Panel:
    """Connected / needs reconnect (in red) / nothing connected (`empty`, with a connect link)."""
    if not accounts:
        connect = "Connect " + title.split()[0]
        return Panel(title, [empty], endpoint, connect, tone="warn", order=order)
    failing = [a for a in accounts if a.status == AccountStatus.NEEDS_RECONNECT]
    lines = [
        f"{a.display_name or a.remote_id}: "
        + ("needs reconnect" if a.status == AccountStatus.NEEDS_RECONNECT else "connected")
        for a in accounts
    ]
    if failing:
        lines.append(broken)
    return Panel(
        title,
        lines,
        endpoint,
        "Reconnect" if failing else "Open account",
        tone="bad" if failing else "good",
        order=order,
    )
