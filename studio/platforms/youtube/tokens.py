"""YouTube tokens at rest and fresh: vault storage, one refresher per account, reconnect.

Access tokens last about an hour; the refresh token stays (Google does not rotate it, but may
send a new one: the newest is kept). A refresh runs under the account's row lock, so at most
one refresh per account is in flight (docs/platforms/youtube.md, OAuth 2.0).
"""

from __future__ import annotations

import datetime as dt

from flask import current_app

from studio.audit import Action
from studio.db import utcnow
from studio.platforms.grants import store_pair
from studio.platforms.models import Account
from studio.platforms.refresh import GrantRefused, Hook, Refresher
from studio.platforms.youtube.connection import PLATFORM, get_client
from studio.platforms.youtube.errors import AuthError, InvalidGrant, PlatformError
from studio.platforms.youtube.results import TokenSet

REFRESHED = Action.YOUTUBE_REFRESHED
REFRESH_FAILED = Action.YOUTUBE_REFRESH_FAILED
TESTING_CAUSE = (
    "Google refused the stored authorization (invalid_grant). Usual cause: the Google "
    "project's OAuth consent screen is in Testing mode, where Google ends every authorization "
    "7 days after consent; otherwise access was removed in the Google account's settings."
)


class ReconnectNeeded(Exception):
    """The account cannot be used until an admin connects it again."""

    def __init__(self, account_id: int, reason: str) -> None:
        super().__init__(f"YouTube account #{account_id} needs reconnecting: {reason}")
        self.account_id = account_id
        self.reason = reason


def store_tokens(account: Account, tokens: TokenSet, now: dt.datetime | None = None) -> None:
    """Encrypt the pair under the account's data key; keep the newest refresh token."""
    store_pair(
        account,
        tokens.access_token,
        tokens.refresh_token,
        expires_in=tokens.expires_in,
        # Sent while the consent screen is in Testing: the refresh token's own end.
        refresh_expires_in=tokens.refresh_token_expires_in,
        scopes=tokens.scopes,
        now=now or utcnow(),
    )


def _exchange(refresh_token: str, hook: Hook) -> TokenSet:
    """Refresh at Google, bounded by YOUTUBE_REFRESH_TIMEOUT (the row lock is held)."""
    timeout = float(current_app.config["YOUTUBE_REFRESH_TIMEOUT"])
    with get_client(hook=hook) as client:
        try:
            return client.refresh(refresh_token, timeout=timeout)
        except InvalidGrant as exc:
            raise GrantRefused(TESTING_CAUSE) from exc


def _summary(account: Account, tokens: TokenSet) -> str:
    until = f"{account.access_expires_at:%Y-%m-%d %H:%M} UTC"
    kept = "a new refresh token kept" if tokens.rotated else "refresh token unchanged"
    return f"access token refreshed until {until}; {kept}"


REFRESHER = Refresher(
    platform=PLATFORM,
    label="YouTube",
    issuer="Google",
    refreshed=REFRESHED,
    failed=REFRESH_FAILED,
    reconnect_needed=ReconnectNeeded,
    platform_error=PlatformError,
    token_invalid=AuthError,  # Google's `authError` (401)
    exchange=_exchange,
    store=store_tokens,
    summary=_summary,
)
access_token = REFRESHER.access_token
force_refresh = REFRESHER.force_refresh
call_with_token = REFRESHER.call_with_token
