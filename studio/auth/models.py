"""Staff users and their server-side login sessions."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import ForeignKey, String
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

    sessions: Mapped[list[LoginSession]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    # Set by the user loader: the login session this request runs under.
    login_session_id = None

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

    user: Mapped[User] = relationship(back_populates="sessions")
