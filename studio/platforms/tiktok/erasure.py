"""Erasing what the TikTok room owns: grants, account rows, OAuth flows (counts for receipts)."""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from studio import db, ledger
from studio.audit import Actor
from studio.platforms.grants import delete_account
from studio.platforms.models import Account
from studio.platforms.tiktok import services
from studio.platforms.tiktok.connection import account_by_open_id, get_client
from studio.platforms.tiktok.models import OAuthFlow
from studio.platforms.tiktok.tokens import end_grant

log = logging.getLogger(__name__)


def account_for_subject(session: Session, open_id: str | None) -> int | None:
    """The id of the connected account with TikTok's ``open_id``, if we hold one."""
    account = account_by_open_id(session, open_id) if open_id else None
    return account.id if account is not None else None


def revoke_token(token: str) -> bool:
    """Revoke a token we never stored (a requester's verification sign-in) at TikTok."""
    if services._revoke_quietly(get_client(), token):
        return True
    log.warning("revoking the verification token failed; it expires on its own")
    return False


def revoke_for_account(
    session: Session, account_id: int | None, actor: Actor, reason: str
) -> dict[str, int]:
    """End the account's grant: revoke at TikTok, erase tokens and data key (row kept).

    Returns the receipt counts; empty when nothing is left to revoke (safe to run again).
    """
    account = session.get(Account, account_id) if account_id is not None else None
    if account is None or not account.data_key:
        return {}
    tokens = int(bool(account.access_token_enc)) + int(bool(account.refresh_token_enc))
    session.commit()  # no transaction stays open across the revoke call to TikTok
    services.disconnect(session, account, actor, reason)
    return {"tiktok_tokens": tokens, "data_key": 1}


def erase_for_account(session: Session, account_id: int | None) -> dict[str, int]:
    """Delete the account row (open ID, name, avatar) with any secrets left; the caller commits.

    Its posts and call budgets go with it (foreign keys cascade); erase those first when they
    need their own receipt. Returns the receipt counts; empty once the account is gone.
    """
    return delete_account(session, account_id, "tiktok_profile")


def erase_tokens_again(session: Session, account_id: int, erased_at: str) -> bool:
    """After a restore: end a grant the ledger says was ended at ``erased_at`` (ledger time).

    False when there is nothing to erase, or the account was reconnected since (newer tokens).
    """
    db.begin_write(session)
    account = session.get(Account, account_id)
    if account is None or not (account.data_key or account.access_token_enc):
        session.commit()
        return False
    if account.connected_at and ledger.stamp(account.connected_at) > erased_at:
        session.commit()
        return False
    end_grant(session, account, "tokens erased before this backup was restored")
    session.commit()
    return True


def purge_expired_flows(session: Session, dry_run: bool = False) -> int:
    """Delete OAuth flows expired for over an hour (retention); returns how many."""
    if not dry_run:
        db.begin_write(session)
    cutoff = db.utcnow() - dt.timedelta(hours=1)
    ids = session.scalars(select(OAuthFlow.id).where(OAuthFlow.expires_at < cutoff)).all()
    if ids and not dry_run:
        session.execute(delete(OAuthFlow).where(OAuthFlow.id.in_(ids)))
    session.commit()
    return len(ids)
