"""TikTok tokens at rest and fresh: vault storage, single-flight refresh, retry after a 401."""

from __future__ import annotations

import datetime as dt

from flask import current_app

from studio.audit import Action
from studio.db import utcnow
from studio.platforms.grants import destroy_secrets, end_grant, read_token, store_pair
from studio.platforms.models import Account
from studio.platforms.refresh import GrantRefused, Hook, Refresher
from studio.platforms.tiktok.connection import PLATFORM, get_client
from studio.platforms.tiktok.errors import (
    AccessTokenInvalid,
    InvalidGrant,
    PlatformError,
    ReconnectNeeded,
)
from studio.platforms.tiktok.results import TokenSet

__all__ = [
    "access_token",
    "call_with_token",
    "destroy_secrets",  # shared by every platform (grants.py)
    "end_grant",
    "force_refresh",
    "read_token",
    "store_tokens",
]


def store_tokens(account: Account, tokens: TokenSet, now: dt.datetime | None = None) -> None:
    """Encrypt a token pair under the account's data key; lifetimes from this answer only."""
    store_pair(
        account,
        tokens.access_token,
        tokens.refresh_token,
        expires_in=tokens.expires_in,
        refresh_expires_in=tokens.refresh_expires_in or None,
        scopes=tokens.scope,
        now=now or utcnow(),
    )


def _exchange(refresh_token: str, hook: Hook) -> TokenSet:
    """Refresh at TikTok, bounded by TIKTOK_REFRESH_TIMEOUT (the row lock is held)."""
    timeout = float(current_app.config["TIKTOK_REFRESH_TIMEOUT"])
    with get_client(hook=hook) as client:
        try:
            return client.refresh(refresh_token, timeout=timeout)
        except InvalidGrant as exc:
            raise GrantRefused(f"TikTok refused the refresh: {exc.error}") from exc


def _summary(account: Account, _tokens: TokenSet) -> str:
    return f"access token refreshed, valid until {account.access_expires_at:%Y-%m-%d %H:%M} UTC"


REFRESHER = Refresher(
    platform=PLATFORM,
    label="TikTok",
    issuer="TikTok",
    refreshed=Action.TIKTOK_REFRESHED,
    failed=Action.TIKTOK_REFRESH_FAILED,
    reconnect_needed=ReconnectNeeded,
    platform_error=PlatformError,
    token_invalid=AccessTokenInvalid,  # TikTok's `access_token_invalid`
    exchange=_exchange,
    store=store_tokens,
    summary=_summary,
)
access_token = REFRESHER.access_token
force_refresh = REFRESHER.force_refresh
call_with_token = REFRESHER.call_with_token
