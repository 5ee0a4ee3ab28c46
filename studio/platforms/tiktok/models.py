"""TikTok's pending OAuth flows (hashed state, wrapped PKCE verifier, single use)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from studio import vault
from studio.db import NEVER_REUSE_IDS, Base, created_at, intpk, utcnow


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


vault.register_wrapped(OAuthFlow.verifier_enc)
