"""Staff account services: sign-in, server-side sessions, user management, TOTP."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

import pyotp
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from studio import vault
from studio.auth.models import LoginSession, Role, User
from studio.auth.passwords import (
    DUMMY_HASH,
    hash_password,
    needs_rehash,
    policy_problems,
    verify_password,
)
from studio.db import utcnow

vault.register_wrapped(User.totp_secret)


class AuthError(Exception):
    """A staff-account operation was refused; the message is safe to show."""


def normalise_email(email: str) -> str:
    """E-mail addresses compare case-insensitively and without surrounding space."""
    return email.strip().lower()


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def find_user(session: Session, email: str) -> User | None:
    """The user with this e-mail, if any."""
    return session.scalar(select(User).where(User.email == normalise_email(email)))


def create_user(session: Session, email: str, password: str, role: Role) -> User:
    """Create a staff account after checking the e-mail and the password policy."""
    email = normalise_email(email)
    if "@" not in email or len(email) > 254:
        raise AuthError("Enter a valid e-mail address.")
    if find_user(session, email):
        raise AuthError("A staff account with this e-mail already exists.")
    problems = policy_problems(password, email)
    if problems:
        raise AuthError(" ".join(problems))
    user = User(email=email, password_hash=hash_password(password), role=Role(role))
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
    row = session.scalar(select(LoginSession).where(LoginSession.token_hash == _hash_token(token)))
    if row is None or row.expires_at < utcnow() or not row.user.active:
        return None
    row.user.login_session_id = token
    return row.user


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


def change_password(session: Session, user: User, current: str, new: str) -> None:
    """Change a password after checking the current one; other sessions end."""
    if not verify_password(user.password_hash, current):
        raise AuthError("The current password is not correct.")
    problems = policy_problems(new, user.email)
    if problems:
        raise AuthError(" ".join(problems))
    user.password_hash = hash_password(new)
    user.password_changed_at = utcnow()
    end_all_sessions(session, user, keep=user.login_session_id)


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


def new_totp_secret() -> str:
    """A fresh base32 TOTP seed."""
    return pyotp.random_base32()


def totp_uri(user: User, secret: str, issuer: str) -> str:
    """The otpauth:// URI an authenticator app scans."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=issuer)


def verify_totp(session: Session, user: User, code: str, secret: str | None = None) -> bool:
    """Check a TOTP code once per time step (a replayed code is refused)."""
    if secret is None:
        if not user.totp_secret:
            return False
        secret = vault.unwrap(user.totp_secret).decode()
    totp = pyotp.TOTP(secret)
    code = code.strip().replace(" ", "")
    now = utcnow().timestamp()
    for offset in (-1, 0, 1):
        step = int(now // totp.interval) + offset
        if step > (user.last_totp_step or -1) and totp.verify(code, for_time=step * totp.interval):
            user.last_totp_step = step
            session.commit()
            return True
    return False


def enable_totp(session: Session, user: User, secret: str, code: str) -> None:
    """Turn on two-factor after the user proves the authenticator works."""
    if not verify_totp(session, user, code, secret):
        raise AuthError("That code did not match. Check the time on your device and try again.")
    user.totp_secret = vault.wrap(secret)
    user.totp_enabled = True
    session.commit()


def disable_totp(session: Session, user: User) -> None:
    """Turn off two-factor and forget the seed."""
    user.totp_secret = None
    user.totp_enabled = False
    session.commit()
