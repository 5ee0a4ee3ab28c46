"""Deletion requests, deletion links and browser holds, policy versions, contact messages."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from studio import vault
from studio.db import NEVER_REUSE_IDS, Base, created_at, intpk, utcnow


class RequestStatus(enum.StrEnum):
    """Where a deletion request stands; the public status page shows only this and dates."""

    RECEIVED = "received"
    VERIFIED = "verified"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    REJECTED = "rejected"


OPEN_STATUSES = (RequestStatus.RECEIVED, RequestStatus.VERIFIED, RequestStatus.IN_PROGRESS)


class RequestType(enum.StrEnum):
    """Which right the requester exercises (GDPR Art. 17, Art. 15/20, Art. 16)."""

    ERASURE = "erasure"
    COPY = "copy"
    CORRECTION = "correction"


class DeletionRequest(Base):
    """One person's request to erase their data, from receipt to receipt.

    Who asked is held only encrypted under the request's own data key (``subject_enc``), and
    that key is destroyed when the request closes; what remains is a salted hash.
    """

    __tablename__ = "deletion_requests"
    __table_args__ = NEVER_REUSE_IDS

    id: Mapped[intpk]
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    source: Mapped[str] = mapped_column(String(16))  # form | tiktok | meta | staff
    kind: Mapped[str] = mapped_column(
        String(16)
    )  # how it is verified: tiktok | youtube | email | meta
    request_type: Mapped[RequestType] = mapped_column(
        String(16), default=RequestType.ERASURE, server_default=RequestType.ERASURE.value
    )
    status: Mapped[RequestStatus] = mapped_column(String(16), default=RequestStatus.RECEIVED)
    step: Mapped[str | None] = mapped_column(String(32))
    data_key: Mapped[str | None] = mapped_column(String(512))
    subject_enc: Mapped[str | None] = mapped_column(Text)
    subject_salt: Mapped[str] = mapped_column(String(32))
    subject_hash: Mapped[str] = mapped_column(String(64), index=True)
    account_id: Mapped[int | None]
    received_at: Mapped[created_at]
    due_at: Mapped[dt.datetime]
    verified_at: Mapped[dt.datetime | None]
    approved_at: Mapped[dt.datetime | None]
    started_at: Mapped[dt.datetime | None]
    completed_at: Mapped[dt.datetime | None]
    rejected_at: Mapped[dt.datetime | None]
    reason: Mapped[str | None] = mapped_column(Text)
    extended_at: Mapped[dt.datetime | None]
    extension_reason: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[int | None]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    receipt: Mapped[str | None] = mapped_column(Text)  # JSON: erased counts, kept items
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def time_left(self, now: dt.datetime | None = None) -> dt.timedelta:
        """Time until the deadline (negative when overdue)."""
        return self.due_at - (now or utcnow())


class DeletionLink(Base):
    """One e-mailed verification link: only its token's hash, until when it works, when used.

    A link proves the requester read the mail once; marking it used is a conditional UPDATE,
    so of two uses racing, exactly one wins.
    """

    __tablename__ = "deletion_links"
    __table_args__ = NEVER_REUSE_IDS

    id: Mapped[intpk]
    request_id: Mapped[int] = mapped_column(index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[created_at]
    expires_at: Mapped[dt.datetime]
    used_at: Mapped[dt.datetime | None]


class DeletionBrowser(Base):
    """A browser's hold on one deletion request: it filed it, named it again, or verified it.

    The browser's cookie holds a random handle; the row holds the handle's hash. The
    confirmation code is kept only encrypted under a key derived from the handle, so the
    database alone cannot read it. ``verified_until`` is the server-side "verified" mark.
    """

    __tablename__ = "deletion_browsers"
    __table_args__ = NEVER_REUSE_IDS

    id: Mapped[intpk]
    handle_hash: Mapped[str] = mapped_column(String(64), index=True)
    request_id: Mapped[int] = mapped_column(index=True)
    code_enc: Mapped[str | None] = mapped_column(Text)
    verified_until: Mapped[dt.datetime | None]
    created_at: Mapped[created_at]
    expires_at: Mapped[dt.datetime]


class PolicyVersion(Base):
    """When the privacy policy's content (inventory + operator details) last changed."""

    __tablename__ = "policy_versions"
    __table_args__ = NEVER_REUSE_IDS

    id: Mapped[intpk]
    content_hash: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[created_at]


class ContactMessage(Base):
    """A privacy question sent through the public contact form, kept for a declared period."""

    __tablename__ = "contact_messages"
    __table_args__ = NEVER_REUSE_IDS

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(String(255))
    email: Mapped[str] = mapped_column(String(254))
    message: Mapped[str] = mapped_column(Text)
    received_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    delivered_at: Mapped[dt.datetime | None]


vault.register_wrapped(DeletionRequest.data_key)
