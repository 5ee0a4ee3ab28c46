"""The audit log's subscriptions to the rooms below it (auth announces, the log records)."""

from __future__ import annotations

from typing import Any

from studio.audit.actions import Action
from studio.audit.recorder import Actor, record
from studio.auth.events import AuthEvent, staff_event
from studio.auth.models import User


@staff_event.connect
def record_auth_event(
    event: AuthEvent,
    *,
    user: User | None,
    summary: str,
    status: str,
    payload: dict[str, Any] | None,
    **_: Any,
) -> None:
    """One entry per auth event, under the same kind; raises when it cannot be written."""
    actor = Actor.user(user) if user is not None else Actor.public()
    record(Action(event.value), actor=actor, summary=summary, status=status, payload=payload)
