"""What each staff member chose: the e-mails they receive (their time zone is in zones)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from studio.audit import Action, Actor, record
from studio.auth.models import User

# The e-mails the app sends about posts; each person may turn each kind off.
KINDS: dict[str, str] = {
    "landed": "A delivery reached the platform (published, or in the account's inbox)",
    "failed": "A delivery failed",
    "needs_person": "A delivery needs someone (finish a draft in TikTok)",
    "reconnect": "An account I connected (admins: any account) must be reconnected",
    "approval": "A post waits for my approval, or mine was approved or sent back",
}


def wants(user: Any, kind: str) -> bool:
    """True unless the person turned this kind of e-mail off."""
    return kind not in (getattr(user, "notify_off", None) or [])


def save(session: Session, user: User, time_zone: str | None, enabled: list[str]) -> None:
    """Store the person's time zone (None: the operator's) and the e-mails they want."""
    user.time_zone = time_zone or None
    user.notify_off = [kind for kind in KINDS if kind not in enabled]
    session.commit()
    record(
        Action.USER_PREFERENCES,
        actor=Actor.user(user),
        summary=f"staff #{user.id}: time zone {user.time_zone or 'default'}, "
        f"e-mails off: {', '.join(user.notify_off) or 'none'}",
    )
