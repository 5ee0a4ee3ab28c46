"""Every platform's tokens at rest: store, read, lock the account row, erase, end the grant."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from studio import db, ledger, vault
from studio.audit import Actor, record
from studio.db import utcnow
from studio.platforms.models import Account, AccountStatus


def store_pair(
    account: Account,
    access_token: str,
    refresh_token: str,
    *,
    expires_in: int,
    refresh_expires_in: int | None,
    scopes: list[str],
    now: dt.datetime,
) -> None:
    """Encrypt a token pair under the account's data key; lifetimes from this answer only.

    An empty refresh token keeps the stored one; no refresh lifetime or scopes keep theirs.
    """
    if not account.data_key:
        account.data_key = vault.new_data_key()
    account.access_token_enc = vault.encrypt(account.data_key, access_token)
    if refresh_token:
        account.refresh_token_enc = vault.encrypt(account.data_key, refresh_token)
    account.access_expires_at = now + dt.timedelta(seconds=expires_in)
    if refresh_expires_in is not None:
        account.refresh_expires_at = now + dt.timedelta(seconds=refresh_expires_in)
    if scopes:
        account.scopes = ",".join(scopes)


def destroy_secrets(session: Session, account: Account) -> None:
    """Erase the tokens and the data key: any copy of the ciphertext becomes unreadable.

    Does not commit; the caller's transaction decides (disconnect and deletion commit it).
    The deletion ledger records it first, so a restored backup can be made to forget again.
    """
    if account.id is not None and account.data_key:
        ledger.append(ledger.TOKENS, account.id)
    account.access_token_enc = None
    account.refresh_token_enc = None
    account.data_key = None
    account.access_expires_at = None
    account.refresh_expires_at = None
    session.add(account)


def delete_account(session: Session, account_id: int | None, profile: str) -> dict[str, int]:
    """Delete the account row (id, name, avatar) with any secrets left; the caller commits.

    Its posts and call budgets go with it (foreign keys cascade); erase those first when they
    need their own receipt. Returns the receipt counts (`profile` names the row's category);
    empty once the account is gone.
    """
    account = session.get(Account, account_id) if account_id is not None else None
    if account is None:
        return {}
    counts = {"data_key": 1} if account.data_key else {}
    destroy_secrets(session, account)
    session.delete(account)
    return {**counts, profile: 1}


def end_grant(session: Session, account: Account, reason: str) -> bool:
    """End the account's grant here: destroy its secrets and mark it disconnected.

    The one place a grant ends (staff's disconnect, a platform's webhook, a deletion request, a
    replayed erasure). An account already ended here keeps who ended it and when: a platform's
    echo of our own revocation must not replace it. Does not commit; returns False for an echo.
    """
    ended = account.status == AccountStatus.DISCONNECTED and not account.data_key
    destroy_secrets(session, account)
    account.status = AccountStatus.DISCONNECTED
    if not ended:
        account.status_reason = reason[:500] or None
        account.disconnected_at = utcnow()
    return not ended


def close_grant(
    session: Session,
    account: Account,
    actor: Actor,
    reason: str,
    action: str,
    summary: str,
    **payload: object,
) -> None:
    """End the grant in a writer transaction on a fresh read of the row, commit, audit `action`.

    The payload gets the reason; `payload` adds the platform's own fields.
    """
    db.begin_write(session)
    session.refresh(account)
    end_grant(session, account, reason)  # an echo of our own revocation keeps who ended it
    session.commit()
    record(
        action,
        actor=actor,
        summary=summary,
        payload={"reason": reason, **payload},
        account_id=account.id,
    )


def read_token(account: Account, which: str = "access") -> str | None:
    """Decrypt the stored access (or refresh) token, or None when absent or destroyed."""
    value = account.access_token_enc if which == "access" else account.refresh_token_enc
    if not value or not account.data_key:
        return None
    try:
        return vault.decrypt(account.data_key, value)
    except vault.VaultError:
        return None


def locked_account(session: Session, account_id: int) -> Account | None:
    """Take the writer lock (BEGIN IMMEDIATE / FOR UPDATE) and re-read the row."""
    db.begin_write(session)
    stmt = (
        select(Account)
        .where(Account.id == account_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return session.scalars(stmt).one_or_none()


def fresh_account(session: Session, account_id: int) -> Account | None:
    """Re-read the row (no lock), replacing what the session holds."""
    stmt = select(Account).where(Account.id == account_id).execution_options(populate_existing=True)
    return session.scalars(stmt).one_or_none()


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


def erase_expired_tokens(session: Session, dry_run: bool = False) -> int:
    """Erase the tokens of accounts whose refresh token expired (retention); returns how many.

    The account row stays, marked "needs reconnect", so staff see why posting stopped.
    """
    if not dry_run:
        db.begin_write(session)
    query = select(Account).where(
        Account.data_key.is_not(None), Account.refresh_expires_at <= utcnow()
    )
    accounts = session.scalars(query).all()
    for account in [] if dry_run else accounts:
        destroy_secrets(session, account)
        if account.status == AccountStatus.CONNECTED:
            account.status = AccountStatus.NEEDS_RECONNECT
            account.status_reason = "the refresh token expired"
    session.commit()
    return len(accounts)
