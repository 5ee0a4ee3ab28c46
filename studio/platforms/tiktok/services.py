"""TikTok connection services: the client, accounts, connect, tokens, disconnect."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from sqlalchemy.orm import Session

from studio import db
from studio.audit import Action, Actor, record, scope
from studio.platforms.grants import close_grant, erase_expired_tokens
from studio.platforms.models import Account, AccountStatus
from studio.platforms.tiktok.client import CreatorInfo, TikTokClient
from studio.platforms.tiktok.connection import (
    ACCOUNTS,
    account_by_open_id,
    get_client,
    held_exchanges,
    holding_exchanges,
    release_exchanges,
)
from studio.platforms.tiktok.errors import PlatformError, ReconnectNeeded
from studio.platforms.tiktok.oauth import FlowError, finish_flow, flow_context, start_flow
from studio.platforms.tiktok.results import TokenSet
from studio.platforms.tiktok.tokens import (
    REFRESHER,
    access_token,
    call_with_token,
    destroy_secrets,
    force_refresh,
    read_token,
    store_tokens,
)

__all__ = [
    "ConnectError",
    "FlowError",
    "ReconnectNeeded",
    "access_token",
    "call_with_token",
    "complete_connect",
    "connect_account",
    "connected_accounts",
    "creator_info",
    "destroy_secrets",
    "disconnect",
    "erase_expired_tokens",
    "finish_flow",
    "flow_context",
    "force_refresh",
    "get_account",
    "get_client",
    "grant_removed",
    "refresh_profile",
    "release_exchanges",
    "holding_exchanges",
    "start_flow",
]

PROFILE_FIELDS = ["open_id", "display_name", "avatar_url"]


class ConnectError(Exception):
    """Tokens were obtained but the account could not be set up; nothing was stored."""


connected_accounts = ACCOUNTS.in_use
all_accounts = ACCOUNTS.every  # disconnected ones included: their history stays
get_account = ACCOUNTS.one


def creator_info(session: Session, account_id: int) -> CreatorInfo:
    """Fresh creator info (needs video.publish), with one refresh-and-retry on a 401."""
    client = get_client()
    return call_with_token(session, account_id, client.creator_info)


def connect_account(session: Session, tokens: TokenSet, user: object | None) -> Account:
    """Store (or reconnect) the account behind a fresh token pair, under a new data key."""
    actor = Actor.user(user) if user is not None else Actor.system("tiktok")
    client = get_client()
    known = account_by_open_id(session, tokens.open_id) if tokens.open_id else None
    session.commit()  # no transaction stays open across the profile call
    with scope(actor=actor, account_id=known.id if known else None):
        try:
            profile = client.user_info(tokens.access_token, PROFILE_FIELDS)
        except PlatformError as exc:
            _revoke_quietly(client, tokens.access_token)
            held = held_exchanges()
            if held and known is not None:
                release_exchanges(held, known.id)
            raise ConnectError(f"TikTok did not return the profile ({exc})") from exc
    open_id = str(profile.get("open_id") or tokens.open_id)
    if tokens.open_id and open_id != tokens.open_id:
        _revoke_quietly(client, tokens.access_token)
        raise ConnectError("TikTok returned a profile for a different account")
    account = _upsert(session, open_id, profile, tokens, user)
    record(
        Action.TIKTOK_CONNECTED,
        actor=actor,
        summary=f"connected TikTok account #{account.id} with scopes {account.scopes}",
        payload={
            "open_id": account.remote_id,
            "display_name": account.display_name,
            "scopes": account.scope_list,
        },
        account_id=account.id,
    )
    return account


def complete_connect(session: Session, args: Mapping[str, str], user: object) -> Account:
    """Finish a "connect" flow and store the account (FlowError / ConnectError otherwise)."""
    with holding_exchanges():
        tokens, _flow = finish_flow("connect", args)
        return connect_account(session, tokens, user)


def _upsert(
    session: Session, open_id: str, profile: dict, tokens: TokenSet, user: object | None
) -> Account:
    def fill(account: Account, now: dt.datetime) -> None:
        account.display_name = str(profile.get("display_name") or "")[:255]
        account.avatar_url = str(profile.get("avatar_url") or "")[:2048] or None
        store_tokens(account, tokens, now)

    return ACCOUNTS.store_connected(session, open_id, user, held_exchanges(), fill)


def _revoke_quietly(client: TikTokClient, token: str) -> bool:
    try:
        client.revoke(token)
    except PlatformError:
        return False
    return True


def disconnect(session: Session, account: Account, actor: Actor, reason: str) -> bool:
    """Revoke at TikTok, destroy the secrets, mark disconnected; history stays.

    Returns whether TikTok confirmed the revocation (the local erasure happens either way).
    """
    revoked = False
    with scope(actor=actor, account_id=account.id):
        token = _token_for_revoke(session, account)
        if token:
            revoked = _revoke_quietly(get_client(), token)
    summary = f"disconnected TikTok account #{account.id}: {reason}" + (
        "" if revoked else " (TikTok did not confirm the revocation)"
    )
    close_grant(
        session,
        account,
        actor,
        reason,
        Action.TIKTOK_DISCONNECTED,
        summary,
        revoked_at_tiktok=revoked,
    )
    return revoked


def _token_for_revoke(session: Session, account: Account) -> str | None:
    """A live access token if one can be had, else whatever is stored."""
    if account.status == AccountStatus.CONNECTED:
        try:
            return access_token(session, account.id, min_valid_s=60)
        except (ReconnectNeeded, PlatformError):
            pass
    session.refresh(account)
    token = read_token(account)
    session.commit()  # no transaction stays open across the revoke call
    return token


def grant_removed(session: Session, open_id: str, reason: str, actor: Actor) -> Account | None:
    """TikTok says the grant is gone (webhook): destroy secrets, mark disconnected."""
    account = account_by_open_id(session, open_id)
    if account is None:
        return None
    summary = f"authorization removed at TikTok: {reason}"
    close_grant(
        session, account, actor, reason, Action.TIKTOK_DISCONNECTED, summary, revoked_at_tiktok=True
    )
    return account


def refresh_profile(session: Session, account_id: int) -> Account:
    """Check the connection by reading the profile; updates the name and avatar URL.

    A revoked grant surfaces here: the 401 triggers one refresh, whose invalid_grant marks the
    account "needs reconnect" (ReconnectNeeded is raised).
    """
    client = get_client()
    profile = call_with_token(
        session, account_id, lambda token: client.user_info(token, PROFILE_FIELDS)
    )
    db.begin_write(session)
    account = session.get(Account, account_id, populate_existing=True)
    if account is None:
        raise ReconnectNeeded(account_id, "the TikTok account does not exist")
    account.display_name = str(profile.get("display_name") or account.display_name)[:255]
    account.avatar_url = str(profile.get("avatar_url") or "")[:2048] or account.avatar_url
    session.commit()
    return account


def refresh_due(session: Session, within_s: int) -> list[int]:
    """Ids of connected accounts whose access token expires within `within_s` seconds."""
    return REFRESHER.due(session, within_s)
