"""The audit table: one hash-chained row per recorded exchange, webhook or staff action."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Float, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from studio.db import Base


class AuditEntry(Base):
    """One link of the chain; only payload and salt may ever change (erasure)."""

    __tablename__ = "audit_entries"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[dt.datetime]
    kind: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    actor_kind: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[str | None] = mapped_column(String(128))
    actor_label: Mapped[str | None] = mapped_column(String(254))
    account_id: Mapped[int | None]
    post_id: Mapped[int | None]
    job_id: Mapped[str | None] = mapped_column(String(128))
    summary: Mapped[str] = mapped_column(Text)
    method: Mapped[str | None] = mapped_column(String(8))
    endpoint: Mapped[str | None] = mapped_column(String(512))
    http_status: Mapped[int | None]
    duration_ms: Mapped[float | None] = mapped_column(Float)
    platform_code: Mapped[str | None] = mapped_column(String(128))
    log_id: Mapped[str | None] = mapped_column(String(128))
    error: Mapped[str | None] = mapped_column(Text)
    platform: Mapped[str | None] = mapped_column(String(16))  # whose API, webhook or account
    payload: Mapped[str | None] = mapped_column(Text)
    salt: Mapped[str | None] = mapped_column(String(32))
    payload_digest: Mapped[str] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    erased_at: Mapped[dt.datetime | None]

    # Every filter of the viewer walks one of these backwards from the newest seq.
    __table_args__ = (
        Index("ix_audit_entries_account_seq", "account_id", "seq"),
        Index("ix_audit_entries_kind_seq", "kind", "seq"),
        Index("ix_audit_entries_actor_seq", "actor_kind", "actor_id", "seq"),
        Index("ix_audit_entries_status_seq", "status", "seq"),
        Index("ix_audit_entries_post_seq", "post_id", "seq"),
        Index("ix_audit_entries_at_seq", "at", "seq"),
    )

    @property
    def is_error(self) -> bool:
        return self.status == "error"

    @property
    def is_erased(self) -> bool:
        return self.payload is None and self.salt is None
