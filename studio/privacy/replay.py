"""Replaying the deletion ledger on a restored database, so erased data stays erased."""

from __future__ import annotations

from sqlalchemy.orm import Session

from studio import ledger
from studio.audit import Action, Actor, record
from studio.auth import erasure as auth_erasure
from studio.platforms.grants import erase_tokens_again
from studio.privacy import execute


def _account(session: Session, account_id: int, at: str) -> bool:
    return execute.replay_account(session, account_id)


def _staff(session: Session, user_id: int, at: str) -> bool:
    return auth_erasure.erase_again(session, user_id)


REPLAYERS = {
    ledger.TOKENS: erase_tokens_again,
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
