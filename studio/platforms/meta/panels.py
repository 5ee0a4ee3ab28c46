"""The dashboard panel: which Meta accounts are connected and whether they are healthy."""

from __future__ import annotations

from flask import current_app

from studio import db
from studio.panels import Panel
from studio.platforms.meta.connection import LOGINS, enabled, target_accounts
from studio.platforms.models import AccountStatus
from studio.platforms.panels import accounts_panel


def meta_panel() -> Panel | None:
    """Only when Meta is enabled: the Pages and Instagram accounts, and logins to reconnect."""
    if not enabled(current_app.config):
        return None
    accounts = [a for a in target_accounts(db.session) if a.status != AccountStatus.DISCONNECTED]
    accounts += [a for a in LOGINS.in_use(db.session) if a.status != AccountStatus.CONNECTED]
    return accounts_panel(
        "Meta accounts",
        accounts,
        "meta.index",
        "No Facebook Page or Instagram account is connected yet.",
        "Meta no longer accepts the stored login. An admin must reconnect.",
        order=12,
    )
