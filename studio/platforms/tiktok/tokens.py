"""Tokens at rest and fresh: vault storage, single-flight refresh, retry after a 401."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TypeVar

from flask import current_app
from sqlalchemy.orm import Session

from studio import vault
from studio.audit import Action, record, scope
from studio.db import utcnow
from studio.platforms.grants import (
    destroy_secrets,
    end_grant,
    fresh_account,
    locked_account,
    read_token,
)
from studio.platforms.models import Account, AccountStatus
from studio.platforms.tiktok.connection import get_client, report_exchange
from studio.platforms.tiktok.errors import (
    AccessTokenInvalid,
    InvalidGrant,
    PlatformError,
    ReconnectNeeded,
)
from studio.platforms.tiktok.results import TokenSet
from studio.transport import Exchange

T = TypeVar("T")
__all__ = ["destroy_secrets", "end_grant", "read_token"]  # shared by every platform (grants.py)


def store_tokens(account: Account, tokens: TokenSet, now: dt.datetime | None = None) -> None:
    """Encrypt a token pair under the account's data key; lifetimes from this answer only."""
    now = now or utcnow()
    if not account.data_key:
        account.data_key = vault.new_data_key()
    account.access_token_enc = vault.encrypt(account.data_key, tokens.access_token)
    if tokens.refresh_token:
        account.refresh_token_enc = vault.encrypt(account.data_key, tokens.refresh_token)
    account.access_expires_at = now + dt.timedelta(seconds=tokens.expires_in)
    if tokens.refresh_expires_in:
        account.refresh_expires_at = now + dt.timedelta(seconds=tokens.refresh_expires_in)
    if tokens.scope:
        account.scopes = ",".join(tokens.scope)


def _unusable(account: Account | None, account_id: int) -> ReconnectNeeded | None:
    if account is None:
        return ReconnectNeeded(account_id, "the TikTok account does not exist")
    if account.status == AccountStatus.DISCONNECTED or not account.data_key:
        return ReconnectNeeded(account_id, "the TikTok account is disconnected")
    if account.status == AccountStatus.NEEDS_RECONNECT:
        return ReconnectNeeded(account_id, account.status_reason or "TikTok needs a reconnect")
    return None


def access_token(session: Session, account_id: int, *, min_valid_s: int = 300) -> str:
    """A token valid for at least `min_valid_s`; refreshes (single-flight) when needed.

    Commits the session: no transaction stays open across the TikTok call that follows (a
    refresh runs in its own writer transaction).
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
    return _refresh(session, account_id, min_valid_s=min_valid_s, stale=None)


def force_refresh(session: Session, account_id: int, *, stale_token: str | None = None) -> str:
    """Refresh after TikTok said `access_token_invalid` (skipped if someone already did)."""
    return _refresh(session, account_id, min_valid_s=None, stale=stale_token)


def call_with_token(session: Session, account_id: int, fn: Callable[[str], T]) -> T:
    """Call `fn(token)`; after an AccessTokenInvalid, refresh once and retry once."""
    with scope(account_id=account_id):
        token = access_token(session, account_id)
        try:
            return fn(token)
        except AccessTokenInvalid:
            token = force_refresh(session, account_id, stale_token=token)
            return fn(token)


def _refresh(
    session: Session, account_id: int, *, min_valid_s: int | None, stale: str | None
) -> str:
    """Lock the row, re-check, refresh at TikTok if still needed, commit the new pair.

    The HTTP call happens under the row lock (that is the single flight), bounded by
    TIKTOK_REFRESH_TIMEOUT. Its audit exchanges are recorded after the lock is released.
    """
    exchanges: list[Exchange] = []
    client = get_client(hook=exchanges.append)
    outcome: tuple[str, str] | None = None
    try:
        with scope(account_id=account_id):
            token, outcome = _refresh_locked(session, account_id, min_valid_s, stale, client)
    except PlatformError as exc:
        outcome = (Action.TIKTOK_REFRESH_FAILED, f"refresh failed, will retry: {exc}")
        raise
    finally:
        if session.in_transaction():
            session.rollback()
        with scope(account_id=account_id):
            for exchange in exchanges:
                report_exchange(exchange)
            if outcome is not None:
                record(
                    outcome[0],
                    summary=outcome[1],
                    account_id=account_id,
                    status="error" if outcome[0] == Action.TIKTOK_REFRESH_FAILED else "ok",
                )
    if token is None:
        raise ReconnectNeeded(account_id, outcome[1] if outcome else "")
    return token


def _refresh_locked(
    session: Session,
    account_id: int,
    min_valid_s: int | None,
    stale: str | None,
    client: object,
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
        return None, _needs_reconnect(session, account, "the refresh token expired")
    timeout = float(current_app.config["TIKTOK_REFRESH_TIMEOUT"])
    try:
        tokens = client.refresh(refresh_token, timeout=timeout)  # type: ignore[attr-defined]
    except InvalidGrant as exc:
        return None, _needs_reconnect(session, account, f"TikTok refused the refresh: {exc.error}")
    now = utcnow()
    store_tokens(account, tokens, now)
    account.last_refresh_at = now
    session.commit()
    summary = f"access token refreshed, valid until {account.access_expires_at:%Y-%m-%d %H:%M} UTC"
    return tokens.access_token, (Action.TIKTOK_REFRESHED, summary)


def _needs_reconnect(session: Session, account: Account, reason: str) -> tuple[str, str]:
    """Mark the account and erase its tokens, which no longer work; keep the row, commit."""
    account.status = AccountStatus.NEEDS_RECONNECT
    account.status_reason = reason[:500]
    destroy_secrets(session, account)
    session.commit()
    return Action.TIKTOK_REFRESH_FAILED, f"needs reconnect: {reason}"
