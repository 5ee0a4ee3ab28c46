"""What every platform shares: the inbox of verified webhook and callback deliveries."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from studio import vault
from studio.db import NEVER_REUSE_IDS, Base, created_at, intpk


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


vault.register_wrapped(WebhookDelivery.body_enc)
