"""Two-factor sign-in: TOTP enrolment (seed kept server-side), codes, one-time recovery codes."""

from __future__ import annotations

import enum
import hashlib
import secrets

import pyotp
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from studio import vault
from studio.auth.errors import AuthError
from studio.auth.models import LoginSession, RecoveryCode, User
from studio.db import utcnow

vault.register_wrapped(User.totp_secret)
vault.register_wrapped(LoginSession.pending_totp)

RECOVERY_CODES = 10
WRONG_CODE = "That code is not correct."
USED_CODE = (
    "That code was already used (codes work once). Wait until your app shows the next code, "
    "then enter that one."
)
# 12 characters of a 31-letter alphabet without look-alikes (0/o, 1/l/i): 59 random bits.
_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"


class Factor(enum.StrEnum):
    """What proved the second factor."""

    TOTP = "totp"
    RECOVERY = "recovery"


def _digest(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _clean(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def new_totp_secret() -> str:
    """A fresh base32 TOTP seed."""
    return pyotp.random_base32()


def totp_uri(user: User, secret: str, issuer: str) -> str:
    """The otpauth:// URI an authenticator app scans."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=issuer)


def pending_secret(login: LoginSession | None) -> str | None:
    """The seed being enrolled in this login session, if one was started.

    It lives in the database row of the sign-in, vault-wrapped, not in the cookie: Flask's
    cookie is signed, not encrypted, so anything in it can be read by whoever holds it.
    """
    if login is None or not login.pending_totp:
        return None
    return vault.unwrap(login.pending_totp).decode()


def start_enrolment(session: Session, login: LoginSession | None) -> str:
    """A fresh seed for this login session's enrolment (replacing any earlier one)."""
    if login is None:
        raise AuthError("Sign in again to set up two-factor sign-in.")
    secret = new_totp_secret()
    login.pending_totp = vault.wrap(secret)
    session.commit()
    return secret


def _totp_step(user: User, code: str, secret: str) -> tuple[int | None, bool]:
    """(the matching time step, or None; whether the code matched an already used step)."""
    totp = pyotp.TOTP(secret)
    now = utcnow().timestamp()
    replayed = False
    for offset in (-1, 0, 1):
        step = int(now // totp.interval) + offset
        if totp.verify(code, for_time=step * totp.interval):
            if step > (user.last_totp_step or -1):
                return step, False
            replayed = True
    return None, replayed


def verify_totp(session: Session, user: User, code: str, secret: str | None = None) -> None:
    """Accept a TOTP code once per time step; raise AuthError saying why one is refused."""
    if secret is None:
        if not user.totp_secret:
            raise AuthError(WRONG_CODE)
        secret = vault.unwrap(user.totp_secret).decode()
    step, replayed = _totp_step(user, _clean(code), secret)
    if step is None:
        raise AuthError(USED_CODE if replayed else WRONG_CODE)
    user.last_totp_step = step
    session.commit()


def use_recovery_code(session: Session, user: User, code: str) -> bool:
    """Spend one unused recovery code of ``user``; False when it is not one."""
    row = session.scalar(
        select(RecoveryCode).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _digest(_clean(code)),
            RecoveryCode.used_at.is_(None),
        )
    )
    if row is None:
        return False
    row.used_at = utcnow()
    session.commit()
    return True


def verify_second_factor(session: Session, user: User, code: str) -> Factor:
    """A TOTP code, or (for a lost device) an unused recovery code; AuthError otherwise."""
    if len(_clean(code)) > 8:
        if use_recovery_code(session, user, code):
            return Factor.RECOVERY
        raise AuthError("That recovery code is not correct or was already used.")
    verify_totp(session, user, code)
    return Factor.TOTP


def recovery_codes_left(session: Session, user: User) -> int:
    """How many unused recovery codes ``user`` has."""
    query = select(func.count()).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
    )
    return session.scalar(query) or 0


def new_recovery_codes(session: Session, user: User) -> list[str]:
    """Replace ``user``'s recovery codes with fresh ones; only their hashes are stored."""
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = ["".join(secrets.choice(_ALPHABET) for _ in range(12)) for _ in range(RECOVERY_CODES)]
    session.add_all(RecoveryCode(user_id=user.id, code_hash=_digest(c)) for c in codes)
    session.commit()
    return [f"{c[:4]}-{c[4:8]}-{c[8:]}" for c in codes]


def enable_totp(
    session: Session, user: User, secret: str, code: str, login: LoginSession | None = None
) -> list[str]:
    """Turn on two-factor after the user proves the authenticator works; returns the new
    recovery codes (shown once)."""
    try:
        verify_totp(session, user, code, secret)
    except AuthError as exc:
        raise AuthError(
            "That code did not match. Check the time on your device and try again."
        ) from exc
    user.totp_secret = vault.wrap(secret)
    user.totp_enabled = True
    if login is not None:
        login.pending_totp = None
    session.commit()
    return new_recovery_codes(session, user)


def disable_totp(session: Session, user: User) -> None:
    """Turn off two-factor, forget the seed and the recovery codes."""
    user.totp_secret = None
    user.totp_enabled = False
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    session.commit()
