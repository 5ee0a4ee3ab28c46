"""What every platform shares: connected accounts, OAuth flows, the inbox of verified deliveries."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from studio import vault
from studio.db import NEVER_REUSE_IDS, Base, created_at, intpk, updated_at, utcnow


class AccountStatus(enum.StrEnum):
    """Connection health shown to staff."""

    CONNECTED = "connected"
    NEEDS_RECONNECT = "needs_reconnect"
    DISCONNECTED = "disconnected"


class Account(Base):
    """A company account on one platform; tokens encrypted under the account's own data key.

    ``remote_id`` is the platform's id for it (TikTok's open_id, YouTube's channel id, a
    Facebook Page or Instagram user id); unique per platform.
    """

    __tablename__ = "accounts"
    __table_args__ = (UniqueConstraint("platform", "remote_id"), NEVER_REUSE_IDS)

    id: Mapped[intpk]
    platform: Mapped[str] = mapped_column(String(16), server_default="tiktok")
    remote_id: Mapped[str] = mapped_column(String(128))
    handle: Mapped[str | None] = mapped_column(String(255))
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
        """True when the platform granted `name`."""
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
        return f"<Account {self.id} {self.platform}:{self.remote_id} {self.status}>"


class OAuthFlow(Base):
    """One authorization attempt on one platform: hashed state, wrapped PKCE verifier, single use.

    The browser cookie holds only `public_id` (not secret); the state travels through the
    platform and is stored hashed, the verifier never leaves the server.
    """

    __tablename__ = "oauth_flows"
    __table_args__ = NEVER_REUSE_IDS

    id: Mapped[intpk]
    platform: Mapped[str] = mapped_column(String(16), server_default="tiktok")
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


class WebhookDelivery(Base):
    """One verified webhook delivery, unique by a digest of its body (TikTok retries for 72 h)."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = NEVER_REUSE_IDS

    id: Mapped[intpk]
    source: Mapped[str] = mapped_column(String(16))  # tiktok | meta
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    event: Mapped[str] = mapped_column(String(64))
    body_enc: Mapped[str | None] = mapped_column(Text)  # vault-wrapped; erased once processed
    received_at: Mapped[created_at]
    processed_at: Mapped[dt.datetime | None]
    claimed_until: Mapped[dt.datetime | None]  # a worker's lease while it handles the event
    outcome: Mapped[str | None] = mapped_column(String(32))
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    duplicates: Mapped[int] = mapped_column(default=0)


vault.register_wrapped(Account.data_key)
vault.register_wrapped(WebhookDelivery.body_enc)
vault.register_wrapped(OAuthFlow.verifier_enc)
