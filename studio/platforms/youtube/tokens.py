"""YouTube tokens at rest and fresh: vault storage, one refresher per account, reconnect.

Access tokens last about an hour; the refresh token stays (Google does not rotate it, but may
send a new one: the newest is kept). A refresh runs under the account's row lock, so at most
one refresh per account is in flight (docs/platforms/youtube.md, OAuth 2.0).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TypeVar

from flask import current_app
from sqlalchemy.orm import Session

from studio import vault
from studio.audit import record, scope
from studio.db import utcnow
from studio.platforms.exchanges import report_exchange
from studio.platforms.grants import destroy_secrets, fresh_account, locked_account, read_token
from studio.platforms.models import Account, AccountStatus
from studio.platforms.youtube.client import YouTubeClient
from studio.platforms.youtube.connection import get_client
from studio.platforms.youtube.errors import AuthError, InvalidGrant, PlatformError
from studio.platforms.youtube.results import TokenSet
from studio.transport import Exchange

T = TypeVar("T")
REFRESHED = "youtube:refreshed"
REFRESH_FAILED = "youtube:refresh_failed"
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
    now = now or utcnow()
    if not account.data_key:
        account.data_key = vault.new_data_key()
    account.access_token_enc = vault.encrypt(account.data_key, tokens.access_token)
    if tokens.refresh_token:
        account.refresh_token_enc = vault.encrypt(account.data_key, tokens.refresh_token)
    account.access_expires_at = now + dt.timedelta(seconds=tokens.expires_in)
    if tokens.refresh_token_expires_in is not None:
        # Sent while the consent screen is in Testing: the refresh token's own end.
        account.refresh_expires_at = now + dt.timedelta(seconds=tokens.refresh_token_expires_in)
    if tokens.scopes:
        account.scopes = ",".join(tokens.scopes)


def _unusable(account: Account | None, account_id: int) -> ReconnectNeeded | None:
    if account is None:
        return ReconnectNeeded(account_id, "the YouTube account does not exist")
    if account.status == AccountStatus.DISCONNECTED or not account.data_key:
        return ReconnectNeeded(account_id, "the YouTube account is disconnected")
    if account.status == AccountStatus.NEEDS_RECONNECT:
        return ReconnectNeeded(account_id, account.status_reason or "Google needs a reconnect")
    return None


def access_token(session: Session, account_id: int, *, min_valid_s: int = 300) -> str:
    """A token valid for at least `min_valid_s`; refreshes (single flight) when needed.

    Commits: no transaction stays open across the Google call that follows.
    """
    account = fresh_account(session, account_id)
    session.commit()
    problem = _unusable(account, account_id)
    if problem:
        raise problem
    assert account is not None
    token = read_token(account)
    if token and not account.access_expires_within(min_valid_s):
        return token
    return _refresh(session, account_id, min_valid_s, None)


def force_refresh(session: Session, account_id: int, *, stale_token: str | None = None) -> str:
    """Refresh after Google said `authError` (skipped if another worker already did)."""
    return _refresh(session, account_id, None, stale_token)


def call_with_token(session: Session, account_id: int, fn: Callable[[str], T]) -> T:
    """Call `fn(token)`; after an AuthError (401), refresh once and retry once."""
    with scope(account_id=account_id):
        token = access_token(session, account_id)
        try:
            return fn(token)
        except AuthError:
            return fn(force_refresh(session, account_id, stale_token=token))


def _refresh(session: Session, account_id: int, min_valid_s: int | None, stale: str | None) -> str:
    """Lock the row, re-check, refresh at Google if still needed, commit the new pair.

    The call happens under the lock (the single flight), bounded by YOUTUBE_REFRESH_TIMEOUT;
    its audit exchanges are recorded once the lock is released.
    """
    exchanges: list[Exchange] = []
    client = get_client(hook=exchanges.append)
    outcome: tuple[str, str] | None = None
    token: str | None = None
    try:
        with scope(account_id=account_id):
            token, outcome = _refresh_locked(session, account_id, min_valid_s, stale, client)
    except PlatformError as exc:
        outcome = (REFRESH_FAILED, f"refresh failed, will retry: {exc}")
        raise
    finally:
        if session.in_transaction():
            session.rollback()
        client.close()
        with scope(account_id=account_id):
            for exchange in exchanges:
                report_exchange(exchange)
            if outcome is not None:
                failed = outcome[0] == REFRESH_FAILED
                record(outcome[0], summary=outcome[1], status="error" if failed else "ok")
    if token is None:
        raise ReconnectNeeded(account_id, outcome[1] if outcome else "")
    return token


def _refresh_locked(
    session: Session,
    account_id: int,
    min_valid_s: int | None,
    stale: str | None,
    client: YouTubeClient,
) -> tuple[str | None, tuple[str, str] | None]:
    account = locked_account(session, account_id)
    problem = _unusable(account, account_id)
    if problem:
        session.rollback()
        raise problem
    assert account is not None
    current = read_token(account)
    if current and min_valid_s is not None and not account.access_expires_within(min_valid_s):
        session.commit()
        return current, None  # another worker refreshed while we waited for the lock
    if current and stale is not None and current != stale:
        session.commit()
        return current, None
    refresh_token = read_token(account, "refresh")
    if not refresh_token or account.refresh_expired:
        return None, needs_reconnect(session, account, "the refresh token expired")
    try:
        tokens = client.refresh(
            refresh_token, timeout=float(current_app.config["YOUTUBE_REFRESH_TIMEOUT"])
        )
    except InvalidGrant:
        return None, needs_reconnect(session, account, TESTING_CAUSE)
    now = utcnow()
    store_tokens(account, tokens, now)
    account.last_refresh_at = now
    session.commit()
    until = f"{account.access_expires_at:%Y-%m-%d %H:%M} UTC"
    kept = "a new refresh token kept" if tokens.rotated else "refresh token unchanged"
    return tokens.access_token, (REFRESHED, f"access token refreshed until {until}; {kept}")


def needs_reconnect(session: Session, account: Account, reason: str) -> tuple[str, str]:
    """Mark the account and erase its tokens, which no longer work; keep the row; commit."""
    account.status = AccountStatus.NEEDS_RECONNECT
    account.status_reason = reason[:500]
    destroy_secrets(session, account)
    session.commit()
    return REFRESH_FAILED, f"needs reconnect: {reason}"
