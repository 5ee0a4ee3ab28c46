"""Replaying the deletion ledger on a restored database, so erased data stays erased."""

from __future__ import annotations

from sqlalchemy.orm import Session

from studio import db, ledger
from studio.audit import Action, Actor, record
from studio.auth.models import User
from studio.platforms.models import Account, AccountStatus
from studio.platforms.tiktok.services import destroy_secrets
from studio.privacy import execute


def _tokens(session: Session, account_id: int, at: str) -> bool:
    db.begin_write(session)
    account = session.get(Account, account_id)
    if account is None or not (account.data_key or account.access_token_enc):
        session.commit()
        return False
    if account.connected_at and ledger.stamp(account.connected_at) > at:
        session.commit()
        return False  # reconnected after that erasure: these are newer tokens
    destroy_secrets(session, account)
    if account.status == AccountStatus.CONNECTED:
        account.status = AccountStatus.DISCONNECTED
        account.status_reason = "tokens erased before this backup was restored"
    session.commit()
    return True


def _account(session: Session, account_id: int, at: str) -> bool:
    return execute.replay_account(session, account_id)


def _staff(session: Session, user_id: int, at: str) -> bool:
    db.begin_write(session)
    user = session.get(User, user_id)
    if user is not None:
        session.delete(user)
    session.commit()
    return user is not None


REPLAYERS = {
    ledger.TOKENS: _tokens,
    ledger.ACCOUNT: _account,
    ledger.STAFF: _staff,
}


def replay(session: Session, actor: Actor | None = None) -> dict[str, int]:
    """Erase again everything the ledger lists; returns how many of each kind were found."""
    counts = {kind: 0 for kind in ledger.KINDS}
    for entry in ledger.entries():
        kind = str(entry["kind"])
        if REPLAYERS[kind](session, int(str(entry["id"])), str(entry["at"])):
            counts[kind] += 1
    if any(counts.values()):
        record(
            Action.DELETION_REPLAYED,
            actor=actor or Actor.system("replay-deletions"),
            summary="deletion ledger replayed after a restore",
            payload={"counts": counts},
        )
        execute.checkpoint(session)
    return counts
