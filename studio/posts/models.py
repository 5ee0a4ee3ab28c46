"""Posts (one video sent to one TikTok account) and the per-account TikTok call budget."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from studio import vault
from studio.auth.models import User
from studio.db import NEVER_REUSE_IDS, Base, created_at, intpk, updated_at
from studio.platforms.models import Account
from studio.templating import format_bytes
from studio.videos.models import Video


class PostStatus(enum.StrEnum):
    """Where a post stands; the sender continues only from the recorded state."""

    QUEUED = "queued"
    HELD = "held"  # waiting for TikTok's draft limit (5 pending drafts per 24 h)
    WAITING_RETRY = "waiting_retry"  # a retryable failure; next try at next_attempt_at
    INITIALIZING = "initializing"
    UPLOADING = "uploading"
    UPLOADED = "uploaded"
    PROCESSING = "processing"
    IN_INBOX = "in_inbox"
    PUBLISHED = "published"
    FAILED = "failed"


TERMINAL = frozenset({PostStatus.IN_INBOX, PostStatus.PUBLISHED, PostStatus.FAILED})
# Drafts TikTok counts as pending: initialised but not yet posted by the creator.
PENDING_DRAFT = frozenset(
    {PostStatus.UPLOADING, PostStatus.UPLOADED, PostStatus.PROCESSING, PostStatus.IN_INBOX}
)

# Every byte is at TikTok in these states (whatever the counters say after a restart).
ARRIVED = frozenset(
    {PostStatus.UPLOADED, PostStatus.PROCESSING, PostStatus.IN_INBOX, PostStatus.PUBLISHED}
)
NOT_STARTED = frozenset(
    {PostStatus.QUEUED, PostStatus.HELD, PostStatus.WAITING_RETRY, PostStatus.INITIALIZING}
)

LABELS = {
    PostStatus.QUEUED: "Queued",
    PostStatus.HELD: "Waiting for TikTok's draft limit",
    PostStatus.WAITING_RETRY: "Waiting to retry",
    PostStatus.INITIALIZING: "Starting upload",
    PostStatus.UPLOADING: "Uploading",
    PostStatus.UPLOADED: "Uploaded",
    PostStatus.PROCESSING: "TikTok is processing",
    PostStatus.IN_INBOX: "In the account's TikTok inbox",
    PostStatus.PUBLISHED: "Published",
    PostStatus.FAILED: "Failed",
}


class Mode(enum.StrEnum):
    """Inbox draft (video.upload, the default) or Direct Post (video.publish)."""

    DRAFT = "draft"
    DIRECT = "direct"


class Source(enum.StrEnum):
    """How TikTok gets the bytes."""

    FILE_UPLOAD = "FILE_UPLOAD"
    PULL_FROM_URL = "PULL_FROM_URL"


class Post(Base):
    """One consented send of a video to a TikTok account, and its progress."""

    __tablename__ = "posts"
    __table_args__ = (
        Index("ix_posts_status_next_attempt_at", "status", "next_attempt_at"),
        Index("ix_posts_account_id_sent_at", "account_id", "sent_at"),  # the 24 h draft window
        NEVER_REUSE_IDS,
    )

    id: Mapped[intpk]
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    video_id: Mapped[int] = mapped_column(ForeignKey("videos.id", ondelete="RESTRICT"), index=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    mode: Mapped[Mode] = mapped_column(String(16), default=Mode.DRAFT)
    source: Mapped[Source] = mapped_column(String(16), default=Source.FILE_UPLOAD)

    caption: Mapped[str] = mapped_column(Text, default="")
    hashtags: Mapped[list[str]] = mapped_column(JSON, default=list)
    product_name: Mapped[str] = mapped_column(String(200), default="")
    product_sku: Mapped[str] = mapped_column(String(64), default="")
    is_aigc: Mapped[bool] = mapped_column(default=False)
    # Direct Post only: privacy, interactions and disclosure exactly as consented.
    post_info: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    consent_text: Mapped[str] = mapped_column(Text, default="")

    status: Mapped[PostStatus] = mapped_column(String(24), default=PostStatus.QUEUED)
    lease_owner: Mapped[str | None] = mapped_column(String(80))
    lease_until: Mapped[dt.datetime | None] = mapped_column(index=True)
    next_attempt_at: Mapped[dt.datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    restarts: Mapped[int] = mapped_column(default=0)
    polls: Mapped[int] = mapped_column(default=0)

    publish_id: Mapped[str | None] = mapped_column(String(64), index=True)
    upload_url_enc: Mapped[str | None] = mapped_column(Text)  # vault-wrapped: holds a token
    upload_url_expires_at: Mapped[dt.datetime | None]
    video_size: Mapped[int] = mapped_column(BigInteger, default=0)
    chunk_size: Mapped[int] = mapped_column(BigInteger, default=0)
    total_chunks: Mapped[int] = mapped_column(default=0)
    next_chunk: Mapped[int] = mapped_column(default=0)
    bytes_sent: Mapped[int] = mapped_column(BigInteger, default=0)
    tiktok_status: Mapped[str | None] = mapped_column(String(32))
    tiktok_bytes: Mapped[int | None] = mapped_column(BigInteger)  # uploaded or downloaded
    tiktok_post_ids: Mapped[list[str]] = mapped_column(JSON, default=list)

    fail_reason: Mapped[str | None] = mapped_column(String(80))
    fail_message: Mapped[str | None] = mapped_column(Text)
    retryable: Mapped[bool] = mapped_column(default=False)
    status_note: Mapped[str | None] = mapped_column(String(300))

    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
    sent_at: Mapped[dt.datetime | None]  # when init answered (TikTok's 24 h draft window)
    uploaded_at: Mapped[dt.datetime | None]
    finished_at: Mapped[dt.datetime | None]

    video: Mapped[Video] = relationship(lazy="joined")
    account: Mapped[Account] = relationship(lazy="joined")
    created_by: Mapped[User | None] = relationship(lazy="joined")

    @property
    def is_terminal(self) -> bool:
        """True once nothing more will happen without a person (or a webhook)."""
        return self.status in TERMINAL

    @property
    def label(self) -> str:
        """The status in words."""
        return LABELS.get(self.status, str(self.status))

    @property
    def progress(self) -> float:
        """Fraction of the bytes TikTok has (0..1)."""
        if self.status in TERMINAL - {PostStatus.FAILED} or self.uploaded_at:
            return 1.0
        if not self.video_size:
            return 0.0
        done = self.bytes_sent if self.source == Source.FILE_UPLOAD else self.tiktok_bytes or 0
        return min(1.0, done / self.video_size)

    @property
    def transfer(self) -> str:
        """How far the video's bytes got, in words that fit the post's state."""
        size = format_bytes(self.video_size)
        pull = self.source == Source.PULL_FROM_URL
        if self.progress >= 1.0 or self.status in ARRIVED:
            parts = f" in {self.total_chunks} parts" if self.total_chunks > 1 else ""
            return f"TikTok downloaded all {size}" if pull else f"Uploaded all {size}{parts}"
        count = (self.tiktok_bytes or 0) if pull else self.bytes_sent
        done = format_bytes(count)
        if self.status == PostStatus.FAILED:
            return f"Stopped after {done} of {size}"
        if self.status in NOT_STARTED and not count:
            return f"Not started yet ({size} to send)"
        return f"TikTok has downloaded {done} of {size}" if pull else f"Sent {done} of {size}"

    def __repr__(self) -> str:
        return f"<Post {self.id} {self.status} {self.publish_id}>"


class PostRateBudget(Base):
    """Recent TikTok calls of one kind for one account, shared by every worker.

    TikTok limits init to 6 and status/fetch to 30 calls per minute per token; counting per
    account is at least as strict, and a row lock makes concurrent workers take turns.
    """

    __tablename__ = "post_rate_budgets"

    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    bucket: Mapped[str] = mapped_column(String(32), primary_key=True)
    calls: Mapped[list[float]] = mapped_column(JSON, default=list)  # unix times, oldest first


class PostErasure(Base):
    """A post erased by a deletion request: its number, the request's and when; no content.

    Staff then see a tombstone instead of a post that silently vanished.
    """

    __tablename__ = "post_erasures"

    post_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    request_id: Mapped[int] = mapped_column(index=True)
    erased_at: Mapped[created_at]


vault.register_wrapped(Post.upload_url_enc)
