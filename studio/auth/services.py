"""Staff account services: sign-in, server-side sessions, user management, TOTP."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from flask import current_app
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from studio.auth import emails, twofactor
from studio.auth.errors import AuthError
from studio.auth.models import LoginSession, RecoveryCode, Role, User
from studio.auth.passwords import (
    DUMMY_HASH,
    hash_password,
    needs_rehash,
    policy_problems,
    verify_password,
)
from studio.db import utcnow

__all__ = ["AuthError"]


def normalise_email(email: str) -> str:
    """The one spelling of an address (see ``emails.normalise``); AuthError when invalid."""
    try:
        return emails.normalise(email)
    except emails.EmailError as exc:
        raise AuthError(str(exc)) from exc


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def find_user(session: Session, email: str) -> User | None:
    """The user with this e-mail, if any."""
    try:
        email = emails.normalise(email)
    except emails.EmailError:
        return None
    return session.scalar(select(User).where(User.email == email))


def available_email(session: Session, email: str, exclude: User | None = None) -> str:
    """``email`` in normal form, unless it is, or looks like, another account's address."""
    email = normalise_email(email)
    look = emails.skeleton(email)
    for other in session.scalars(select(User).where(User.deleted_at.is_(None))):
        if other is exclude:
            continue
        if other.email == email:
            raise AuthError("A staff account with this e-mail already exists.")
        if emails.skeleton(other.email) == look:
            raise AuthError(
                "This address looks like the address of another staff account (it uses "
                "look-alike characters). Type it with plain letters."
            )
    return email


def operator_names() -> list[str]:
    """Who runs the service: words a password must not be built from."""
    cfg = current_app.config
    return [str(cfg.get(k) or "") for k in ("OPERATOR_NAME", "OPERATOR_EMAIL", "OPERATOR_WEBSITE")]


def check_password_policy(password: str, email: str) -> None:
    """AuthError naming what is wrong with ``password`` as a new password for ``email``."""
    problems = policy_problems(password, email, operator_names())
    if problems:
        raise AuthError(" ".join(problems))


def create_user(
    session: Session, email: str, password: str, role: Role, one_time: bool = False
) -> User:
    """Create a staff account after checking the e-mail and the password policy.

    ``one_time``: the password was handed out by an admin; the person must choose their own.
    """
    email = available_email(session, email)
    check_password_policy(password, email)
    user = User(
        email=email,
        password_hash=hash_password(password),
        role=Role(role),
        must_change_password=one_time,
    )
    session.add(user)
    session.commit()
    return user


def check_credentials(session: Session, email: str, password: str) -> User | None:
    """The active user whose password matches, else None (equal work either way)."""
    user = find_user(session, email)
    if user is None:
        verify_password(DUMMY_HASH, password)
        return None
    if not verify_password(user.password_hash, password) or not user.active:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        session.commit()
    return user


def start_session(session: Session, user: User, lifetime: dt.timedelta) -> str:
    """Record a new login session and return the random token the cookie will hold."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        LoginSession(
            token_hash=_hash_token(token),
            user_id=user.id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + lifetime,
        )
    )
    user.last_login_at = now
    session.commit()
    user.login_session_id = token
    return token


def load_session_user(session: Session, token: str) -> User | None:
    """The user behind a live login session token, or None when it ended or expired."""
    row = login_row(session, token)
    if row is None or row.expires_at < utcnow() or not row.user.active:
        return None
    row.user.login_session_id = token
    return row.user


def login_row(session: Session, token: str | None) -> LoginSession | None:
    """The login session row behind ``token``."""
    if not token:
        return None
    return session.scalar(select(LoginSession).where(LoginSession.token_hash == _hash_token(token)))


def end_session(session: Session, token: str | None) -> None:
    """Delete one login session (logout)."""
    if token:
        session.execute(delete(LoginSession).where(LoginSession.token_hash == _hash_token(token)))
        session.commit()


def end_all_sessions(session: Session, user: User, keep: str | None = None) -> None:
    """Delete every login session of ``user`` except ``keep``."""
    stmt = delete(LoginSession).where(LoginSession.user_id == user.id)
    if keep:
        stmt = stmt.where(LoginSession.token_hash != _hash_token(keep))
    session.execute(stmt)
    session.commit()


def reauthenticate(session: Session, user: User, password: str, code: str = "") -> None:
    """Re-authentication for security-sensitive changes: the current password, and a current
    second factor (code or recovery code) when two-factor is on. AuthError otherwise."""
    if not verify_password(user.password_hash, password):
        raise AuthError("The current password is not correct.")
    if user.totp_enabled:
        if not code.strip():
            raise AuthError("Enter a current code from your authenticator app.")
        twofactor.verify_second_factor(session, user, code)


def change_password(session: Session, user: User, current: str, new: str, code: str = "") -> None:
    """Change a password after re-authentication; other sessions end."""
    reauthenticate(session, user, current, code)
    if verify_password(user.password_hash, new):
        raise AuthError("Choose a password different from the current one.")
    check_password_policy(new, user.email)
    user.password_hash = hash_password(new)
    user.password_changed_at = utcnow()
    user.must_change_password = False
    end_all_sessions(session, user, keep=user.login_session_id)


def change_email(session: Session, user: User, new: str, password: str, code: str = "") -> str:
    """Change one's own address after re-authentication; returns the old one."""
    reauthenticate(session, user, password, code)
    old, user.email = user.email, available_email(session, new, exclude=user)
    session.commit()
    return old


def admin_emails(session: Session) -> list[str]:
    """The addresses of every active admin (for notices admins must read)."""
    query = select(User.email).where(User.role == Role.ADMIN, User.active.is_(True))
    return list(session.scalars(query))


def count_admins(session: Session) -> int:
    """How many active admins exist."""
    return (
        session.scalar(
            select(func.count()).select_from(User).where(User.role == Role.ADMIN, User.active)
        )
        or 0
    )


def update_user(session: Session, actor: User, target: User, role: Role, active: bool) -> None:
    """Change a user's role or active flag; the last active admin cannot be removed."""
    losing_admin = target.is_admin and target.active and (role != Role.ADMIN or not active)
    if losing_admin and count_admins(session) <= 1:
        raise AuthError("At least one active admin must remain.")
    if target.id == actor.id and not active:
        raise AuthError("You cannot disable your own account.")
    target.role = Role(role)
    target.active = active
    session.commit()
    if not active:
        end_all_sessions(session, target)


def generate_password() -> str:
    """A one-time password that passes the policy (shown once to an admin)."""
    return "-".join(secrets.token_urlsafe(6) for _ in range(4))


def reset_password(session: Session, actor: User, target: User) -> str:
    """Give ``target`` a new one-time password (returned, shown once); their sessions end."""
    if target.id == actor.id:
        raise AuthError("Change your own password under your account instead.")
    password = generate_password()
    target.password_hash = hash_password(password)
    target.password_changed_at = utcnow()
    target.must_change_password = True
    end_all_sessions(session, target)
    return password


def delete_user(session: Session, actor: User | None, target: User) -> None:
    """Erase a staff account's personal data; the row stays as a tombstone under its id,
    which is all that audit entries and past posts keep of the person (pseudonymous).

    Refused for oneself and for the last active admin. Every login session ends.
    """
    if target.deleted_at is not None:
        raise AuthError("This staff account was already deleted.")
    if actor is not None and target.id == actor.id:
        raise AuthError("You cannot delete your own account.")
    if target.is_admin and target.active and count_admins(session) <= 1:
        raise AuthError("At least one active admin must remain.")
    session.execute(delete(LoginSession).where(LoginSession.user_id == target.id))
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == target.id))
    target.email = f"deleted-{target.id}@staff.invalid"
    target.password_hash = "!"  # not an argon2 hash: never verifies
    target.active = False
    target.totp_secret = None
    target.totp_enabled = False
    target.last_login_at = None
    target.must_change_password = False
    target.time_zone, target.notify_off = None, []
    target.deleted_at = utcnow()
    session.commit()
