"""What the auth room announces (sign-ins, password changes, 2FA); the audit room records it.

Auth sits below the audit log, so it cannot call it: it sends a blinker signal that the audit
room subscribes to. Announcing with nobody listening raises: a staff action is never
silently unrecorded.
"""

from __future__ import annotations

import enum
from typing import Any

from blinker import Namespace

from studio.auth.models import User

_signals = Namespace()
staff_event = _signals.signal("staff-event")


class AuthEvent(enum.StrEnum):
    """The auth room's events; the audit log keeps each under the same kind."""

    LOGIN = "auth:login"
    LOGIN_FAILED = "auth:login_failed"
    LOGOUT = "auth:logout"
    PASSWORD_CHANGED = "auth:password_changed"
    TOTP_ENABLED = "auth:totp_enabled"
    TOTP_DISABLED = "auth:totp_disabled"
    RECOVERY_CODE_USED = "auth:recovery_code_used"
    RECOVERY_CODES_RENEWED = "auth:recovery_codes_renewed"
    EMAIL_CHANGED = "auth:email_changed"


def announce(
    event: AuthEvent,
    user: User | None,
    summary: str,
    *,
    status: str = "ok",
    payload: dict[str, Any] | None = None,
) -> None:
    """Tell the listeners; `user` None means someone not signed in (a failed sign-in)."""
    if not staff_event.receivers:
        raise RuntimeError("no listener records auth events (is the audit room installed?)")
    staff_event.send(event, user=user, summary=summary, status=status, payload=payload)
