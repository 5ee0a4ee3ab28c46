"""Staff users and their server-side login sessions."""

from __future__ import annotations

import datetime as dt
import enum
from typing import cast

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from studio.db import NEVER_REUSE_IDS, Base, created_at, intpk, utcnow


class Role(enum.StrEnum):
    """What a staff member may do."""

    ADMIN = "admin"
    STAFF = "staff"


class User(Base):
    """A staff member who signs in to the dashboard."""

    __tablename__ = "users"
    __table_args__ = NEVER_REUSE_IDS

    id: Mapped[intpk]
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(String(16), default=Role.STAFF)
    active: Mapped[bool] = mapped_column(default=True)
    totp_secret: Mapped[str | None] = mapped_column(String(512))  # vault-encrypted
    totp_enabled: Mapped[bool] = mapped_column(default=False)
    last_totp_step: Mapped[int | None]
    created_at: Mapped[created_at]
    last_login_at: Mapped[dt.datetime | None]
    password_changed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # Set for a one-time password an admin handed out: the person chooses their own first.
    must_change_password: Mapped[bool] = mapped_column(default=False)
    time_zone: Mapped[str | None] = mapped_column(String(64))  # IANA name; None: the operator's
    notify_off: Mapped[list[str]] = mapped_column(JSON, default=list)  # e-mail kinds turned off
    # Deleted accounts stay as a tombstone without personal data, so the id that audit entries
    # name (their pseudonymous actor id) never points at someone else.
    deleted_at: Mapped[dt.datetime | None]

    sessions: Mapped[list[LoginSession]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    # Set by the user loader: the login session this request runs under.
    login_session_id = cast("str | None", None)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    # flask-login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str | None:
        """The login session's id, not the user's: deleting the session row logs it out."""
        return self.login_session_id


class LoginSession(Base):
    """A server-side record of one sign-in; the cookie holds only its random id."""

    __tablename__ = "login_sessions"
    __table_args__ = NEVER_REUSE_IDS

    id: Mapped[intpk]
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[created_at]
    last_seen_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime]

    # A two-factor enrolment in progress: the new seed, vault-wrapped, never in the cookie.
    pending_totp: Mapped[str | None] = mapped_column(String(512))

    user: Mapped[User] = relationship(back_populates="sessions")


class RecoveryCode(Base):
    """A one-time code that stands in for the authenticator app (stored as a SHA-256 hash).

    The codes carry 59 random bits each, so a fast hash is enough: there is nothing to brute-force
    from the hash that is cheaper than guessing online.
    """

    __tablename__ = "recovery_codes"
    __table_args__ = NEVER_REUSE_IDS

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[created_at]
    used_at: Mapped[dt.datetime | None]
