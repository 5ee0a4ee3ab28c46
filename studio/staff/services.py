"""Staff management that spans rooms: deleting an account also erases it from audit payloads."""

from __future__ import annotations

from sqlalchemy.orm import Session

from studio import ledger
from studio.audit import Action, Actor, record
from studio.audit.services import erase_payloads_matching
from studio.auth import services as auth
from studio.auth.models import User


def delete_staff(session: Session, actor: User | None, target: User) -> None:
    """Erase ``target``'s personal data (see ``auth.services.delete_user``) and the audit
    payloads that hold their address (failed sign-ins); entries keep only ``staff #id``."""
    old = target.email
    auth.delete_user(session, actor, target)
    ledger.append(ledger.STAFF, target.id)  # a restored backup must forget the person too
    erase_payloads_matching(session, [old])
    session.commit()
    record(
        Action.USER_DELETED,
        actor=Actor.user(actor) if actor is not None else Actor.system(),
        summary=f"deleted staff #{target.id}; personal data erased, sessions ended",
    )
