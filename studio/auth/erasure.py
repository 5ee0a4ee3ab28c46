"""Erasing what the auth room owns: a former staff member's account, expired sign-in sessions."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from studio import db, ledger
from studio.auth.models import LoginSession, User
from studio.auth.services import find_user


@dataclass(frozen=True)
class StaffErasure:
    """What a subject's erasure did: ``erased`` accounts, or found one ``still_active``."""

    erased: int = 0
    still_active: bool = False


def erase_for_subject(session: Session, email: str) -> StaffErasure:
    """Delete the staff account with this address, with its sessions and recovery codes
    (foreign keys cascade), once it is deactivated; the caller commits. Safe to run again.

    An active account stays: an administrator deactivates it when the person leaves.
    """
    user = find_user(session, email) if email else None
    if user is None:
        return StaffErasure()
    if user.active:
        return StaffErasure(still_active=True)
    ledger.append(ledger.STAFF, user.id)  # a restored backup must forget the person too
    session.delete(user)
    return StaffErasure(erased=1)


def erase_again(session: Session, user_id: int) -> bool:
    """After a restore: delete a staff account the ledger says was erased; False if gone."""
    db.begin_write(session)
    user = session.get(User, user_id)
    if user is not None:
        session.delete(user)
    session.commit()
    return user is not None


def purge_expired_sessions(session: Session, dry_run: bool = False) -> int:
    """Delete sign-in sessions past their expiry (retention); returns how many."""
    if not dry_run:
        db.begin_write(session)
    where = LoginSession.expires_at < db.utcnow()
    ids = session.scalars(select(LoginSession.id).where(where)).all()
    if ids and not dry_run:
        session.execute(delete(LoginSession).where(LoginSession.id.in_(ids)))
    session.commit()
    return len(ids)
