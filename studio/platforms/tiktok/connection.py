"""The TikTok client as the app uses it, and where its exchanges go (the audit log)."""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app

from studio.platforms.accounts import Accounts
from studio.platforms.exchanges import (
    held_exchanges,
    holding_exchanges,
    is_holding,
    release_exchanges,
    report_exchange,
)
from studio.platforms.tiktok.client import TikTokClient
from studio.transport import Exchange

PLATFORM = "tiktok"
ACCOUNTS = Accounts(PLATFORM)

__all__ = [
    "account_by_open_id",
    "get_client",
    "held_exchanges",
    "holding_exchanges",
    "is_holding",
    "release_exchanges",
    "report_exchange",
]


def get_client(hook: Callable[[Exchange], None] | None = None) -> TikTokClient:
    """A client configured from the app, reporting every exchange to the audit log."""
    cfg = current_app.config
    return TikTokClient(
        client_key=cfg["TIKTOK_CLIENT_KEY"],
        client_secret=cfg["TIKTOK_CLIENT_SECRET"],
        api_base=cfg["TIKTOK_API_BASE"],
        auth_url=cfg["TIKTOK_AUTH_URL"],
        timeout=float(cfg["TIKTOK_TIMEOUT"]),
        hook=hook or report_exchange,
    )


account_by_open_id = ACCOUNTS.by_remote_id
