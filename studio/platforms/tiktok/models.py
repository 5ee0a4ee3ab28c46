"""Connected TikTok accounts (secrets only as vault ciphertext) and pending OAuth flows."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from studio import vault
from studio.db import NEVER_REUSE_IDS, Base, created_at, intpk, updated_at, utcnow


class AccountStatus(enum.StrEnum):
    """Connection health shown to staff."""

    CONNECTED = "connected"
    NEEDS_RECONNECT = "needs_reconnect"
    DISCONNECTED = "disconnected"


class TikTokAccount(Base):
    """A TikTok account connected through Login Kit; tokens encrypted under its own data key."""

    __tablename__ = "tiktok_accounts"
    __table_args__ = NEVER_REUSE_IDS

    id: Mapped[intpk]
    open_id: Mapped[str] = mapped_column(String(128), unique=True)
    display_name: Mapped[str] = mapped_column(String(255), default="")
    avatar_url: Mapped[str | None] = mapped_column(String(2048))
    scopes: Mapped[str] = mapped_column(String(512), default="")
    status: Mapped[AccountStatus] = mapped_column(String(24), default=AccountStatus.CONNECTED)
    status_reason: Mapped[str | None] = mapped_column(String(500))
    data_key: Mapped[str | None] = mapped_column(String(512))  # wrapped by VAULT_KEYS
    access_token_enc: Mapped[str | None] = mapped_column(Text)
    refresh_token_enc: Mapped[str | None] = mapped_column(Text)
    access_expires_at: Mapped[dt.datetime | None]
    refresh_expires_at: Mapped[dt.datetime | None]
    last_refresh_at: Mapped[dt.datetime | None]
    connected_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    connected_at: Mapped[dt.datetime | None]
    disconnected_at: Mapped[dt.datetime | None]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]

    @property
    def scope_list(self) -> list[str]:
        """Granted scopes as a list."""
        return [s for s in self.scopes.split(",") if s]

    def has_scope(self, name: str) -> bool:
        """True when TikTok granted `name`."""
        return name in self.scope_list

    @property
    def is_usable(self) -> bool:
        """Connected with secrets present."""
        return self.status == AccountStatus.CONNECTED and bool(self.data_key)

    def access_expires_within(self, seconds: float) -> bool:
        """True when the access token is missing or expires within `seconds`."""
        if self.access_expires_at is None:
            return True
        return self.access_expires_at <= utcnow() + dt.timedelta(seconds=seconds)

    @property
    def refresh_expired(self) -> bool:
        """True when the refresh token's lifetime is over."""
        return self.refresh_expires_at is not None and self.refresh_expires_at <= utcnow()

    def __repr__(self) -> str:
        return f"<TikTokAccount {self.id} {self.open_id} {self.status}>"


class OAuthFlow(Base):
    """One authorization attempt: hashed state, wrapped PKCE verifier, single use.

    The browser cookie holds only `public_id` (not secret); the state travels through TikTok
    and is stored hashed, the verifier never leaves the server.
    """

    __tablename__ = "oauth_flows"
    __table_args__ = NEVER_REUSE_IDS

    id: Mapped[intpk]
    public_id: Mapped[str] = mapped_column(String(64), unique=True)
    state_hash: Mapped[str] = mapped_column(String(64), unique=True)
    verifier_enc: Mapped[str | None] = mapped_column(String(512))  # wrapped by VAULT_KEYS
    purpose: Mapped[str] = mapped_column(String(32))
    scopes: Mapped[str] = mapped_column(String(512))
    redirect_uri: Mapped[str] = mapped_column(String(512))
    context: Mapped[str] = mapped_column(Text, default="{}")  # JSON, non-secret
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    login_session_hash: Mapped[str | None] = mapped_column(String(64))  # sha256 of the cookie token
    created_at: Mapped[created_at]
    expires_at: Mapped[dt.datetime]
    used_at: Mapped[dt.datetime | None]

    @property
    def is_expired(self) -> bool:
        """True once the flow may no longer be finished."""
        return self.expires_at <= utcnow()


vault.register_wrapped(TikTokAccount.data_key)
vault.register_wrapped(OAuthFlow.verifier_enc)
