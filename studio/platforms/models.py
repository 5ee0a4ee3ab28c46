"""What every platform shares: accounts, OAuth flows, the webhook inbox, deliveries of posts."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from studio import vault
from studio.db import NEVER_REUSE_IDS, Base, created_at, intpk, updated_at, utcnow
from studio.templating import format_bytes


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
    # The connection this account's access comes through (a Facebook Page or Instagram
    # account → the Meta login of the person who chose it); None for accounts of their own.
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), index=True
    )
    connected_at: Mapped[dt.datetime | None]
    disconnected_at: Mapped[dt.datetime | None]
    # When people were e-mailed that it must be reconnected (studio/notify): once per
    # incident, an incident being everything since the last connect.
    reconnect_mailed_at: Mapped[dt.datetime | None]
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


class DeliveryStatus(enum.StrEnum):
    """Where a delivery stands; the sender continues only from the recorded state."""

    QUEUED = "queued"  # now, or at scheduled_at (next_attempt_at holds when it is due)
    AWAITING_APPROVAL = "awaiting_approval"  # APPROVAL_REQUIRED: not sent until approved
    HELD = "held"  # waiting for TikTok's draft limit (5 pending drafts per 24 h)
    WAITING_RETRY = "waiting_retry"  # a retryable failure; next try at next_attempt_at
    INITIALIZING = "initializing"
    UPLOADING = "uploading"
    UPLOADED = "uploaded"
    PROCESSING = "processing"
    IN_INBOX = "in_inbox"
    PUBLISHED = "published"
    FAILED = "failed"
    CANCELLED = "cancelled"  # cancelled by staff before sending started


TERMINAL = frozenset(
    {
        DeliveryStatus.IN_INBOX,
        DeliveryStatus.PUBLISHED,
        DeliveryStatus.FAILED,
        DeliveryStatus.CANCELLED,
    }
)
SUCCESS = frozenset({DeliveryStatus.IN_INBOX, DeliveryStatus.PUBLISHED})
# Drafts TikTok counts as pending: initialised but not yet posted by the creator.
PENDING_DRAFT = frozenset(
    {
        DeliveryStatus.UPLOADING,
        DeliveryStatus.UPLOADED,
        DeliveryStatus.PROCESSING,
        DeliveryStatus.IN_INBOX,
    }
)
# Every byte is at the platform in these states (whatever the counters say after a restart).
ARRIVED = frozenset(
    {
        DeliveryStatus.UPLOADED,
        DeliveryStatus.PROCESSING,
        DeliveryStatus.IN_INBOX,
        DeliveryStatus.PUBLISHED,
    }
)
NOT_STARTED = frozenset(
    {
        DeliveryStatus.QUEUED,
        DeliveryStatus.AWAITING_APPROVAL,
        DeliveryStatus.HELD,
        DeliveryStatus.WAITING_RETRY,
        DeliveryStatus.INITIALIZING,
    }
)

LABELS = {
    DeliveryStatus.QUEUED: "Queued",
    DeliveryStatus.AWAITING_APPROVAL: "Waiting for approval",
    DeliveryStatus.HELD: "Waiting for {platform}'s {held_by}",
    DeliveryStatus.WAITING_RETRY: "Waiting to retry",
    DeliveryStatus.INITIALIZING: "Starting upload",
    DeliveryStatus.UPLOADING: "Uploading",
    DeliveryStatus.UPLOADED: "Uploaded",
    DeliveryStatus.PROCESSING: "{platform} is processing",
    DeliveryStatus.IN_INBOX: "In the account's {platform} inbox",
    DeliveryStatus.PUBLISHED: "Published",
    DeliveryStatus.FAILED: "Failed",
    DeliveryStatus.CANCELLED: "Cancelled",
}
# Each platform's name in the status words, and what a held delivery of it waits for: its
# sender's `label` and `held_by`, written here by the registry that lists the senders (this
# module comes before the platforms, so it cannot ask them).
PLATFORM_WORDS: dict[str, tuple[str, str]] = {}


class Mode(enum.StrEnum):
    """TikTok: inbox draft (video.upload, the default) or Direct Post (video.publish);
    YouTube: a Short or a plain video (YouTube decides from the shape and length)."""

    DRAFT = "draft"
    DIRECT = "direct"
    SHORT = "short"
    VIDEO = "video"


class Source(enum.StrEnum):
    """How the platform gets the bytes."""

    FILE_UPLOAD = "FILE_UPLOAD"
    PULL_FROM_URL = "PULL_FROM_URL"


class Delivery(Base):
    """One post sent to one account, and its progress (the posts room owns the post).

    ``options`` holds the platform's options as consented (TikTok: the Direct Post
    ``post_info``); ``remote_id`` is the platform's id for the send (TikTok's publish_id).
    """

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("post_id", "account_id"),
        Index("ix_deliveries_status_next_attempt_at", "status", "next_attempt_at"),
        Index("ix_deliveries_account_id_sent_at", "account_id", "sent_at"),  # 24 h draft window
        Index("ix_deliveries_account_id_scheduled_at", "account_id", "scheduled_at"),  # calendar
        Index("ix_deliveries_finished_at", "finished_at"),  # e-mails about recent outcomes
        NEVER_REUSE_IDS,
    )

    id: Mapped[intpk]
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(16), default="tiktok")
    mode: Mapped[Mode] = mapped_column(String(16), default=Mode.DRAFT)
    source: Mapped[Source] = mapped_column(String(16), default=Source.FILE_UPLOAD)
    options: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    status: Mapped[DeliveryStatus] = mapped_column(String(24), default=DeliveryStatus.QUEUED)
    lease_owner: Mapped[str | None] = mapped_column(String(80))
    lease_until: Mapped[dt.datetime | None] = mapped_column(index=True)
    next_attempt_at: Mapped[dt.datetime | None]
    scheduled_at: Mapped[dt.datetime | None]  # the time staff chose (UTC); None: send now
    started_at: Mapped[dt.datetime | None]  # when a scheduled delivery was handed to a worker
    notified_status: Mapped[str | None] = mapped_column(String(24))  # last status e-mailed
    attempts: Mapped[int] = mapped_column(default=0)
    restarts: Mapped[int] = mapped_column(default=0)
    polls: Mapped[int] = mapped_column(default=0)

    remote_id: Mapped[str | None] = mapped_column(String(64), index=True)
    transfer_url_enc: Mapped[str | None] = mapped_column(Text)  # vault-wrapped: holds a token
    transfer_url_expires_at: Mapped[dt.datetime | None]
    video_size: Mapped[int] = mapped_column(BigInteger, default=0)
    chunk_size: Mapped[int] = mapped_column(BigInteger, default=0)
    total_chunks: Mapped[int] = mapped_column(default=0)
    next_chunk: Mapped[int] = mapped_column(default=0)
    bytes_sent: Mapped[int] = mapped_column(BigInteger, default=0)
    remote_status: Mapped[str | None] = mapped_column(String(32))
    remote_bytes: Mapped[int | None] = mapped_column(BigInteger)  # uploaded or downloaded
    remote_post_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    remote_url: Mapped[str | None] = mapped_column(String(2048))  # the public link, once known

    fail_reason: Mapped[str | None] = mapped_column(String(80))
    fail_message: Mapped[str | None] = mapped_column(Text)
    retryable: Mapped[bool] = mapped_column(default=False)
    status_note: Mapped[str | None] = mapped_column(String(300))

    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
    sent_at: Mapped[dt.datetime | None]  # when init answered (TikTok's 24 h draft window)
    uploaded_at: Mapped[dt.datetime | None]
    finished_at: Mapped[dt.datetime | None]

    account: Mapped[Account] = relationship(lazy="joined")

    @property
    def is_terminal(self) -> bool:
        """True once nothing more will happen without a person (or a webhook)."""
        return self.status in TERMINAL

    @property
    def platform_name(self) -> str:
        """The platform as people call it."""
        return PLATFORM_WORDS.get(self.platform, (self.platform.title(), ""))[0]

    @property
    def label(self) -> str:
        """The status in words."""
        if self.status == DeliveryStatus.QUEUED and self.scheduled_at and not self.started_at:
            return "Scheduled"
        name, held_by = PLATFORM_WORDS.get(self.platform, (self.platform.title(), "limit"))
        words = LABELS.get(self.status, str(self.status))
        return words.format(platform=name, held_by=held_by)

    @property
    def progress(self) -> float:
        """Fraction of the bytes the platform has (0..1)."""
        if self.status in SUCCESS or self.uploaded_at:
            return 1.0
        if not self.video_size:
            return 0.0
        done = self.bytes_sent if self.source == Source.FILE_UPLOAD else self.remote_bytes or 0
        return min(1.0, done / self.video_size)

    @property
    def transfer(self) -> str:
        """How far the video's bytes got, in words that fit the delivery's state."""
        size = format_bytes(self.video_size)
        pull = self.source == Source.PULL_FROM_URL
        if self.progress >= 1.0 or self.status in ARRIVED:
            parts = f" in {self.total_chunks} parts" if self.total_chunks > 1 else ""
            done_all = f"{self.platform_name} downloaded all {size}"
            return done_all if pull else f"Uploaded all {size}{parts}"
        count = (self.remote_bytes or 0) if pull else self.bytes_sent
        done = format_bytes(count)
        if self.status == DeliveryStatus.FAILED:
            return f"Stopped after {done} of {size}"
        if self.status in NOT_STARTED and not count:
            return f"Not started yet ({size} to send)"
        if pull:
            return f"{self.platform_name} has downloaded {done} of {size}"
        return f"Sent {done} of {size}"

    def __repr__(self) -> str:
        return f"<Delivery {self.id} of post {self.post_id} {self.status} {self.remote_id}>"


class CallBudget(Base):
    """Recent platform calls of one kind for one account, shared by every worker.

    TikTok, for one, limits init to 6 and status/fetch to 30 calls per minute per token;
    counting per account is at least as strict, and a row lock makes workers take turns.
    """

    __tablename__ = "post_rate_budgets"

    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    bucket: Mapped[str] = mapped_column(String(32), primary_key=True)
    calls: Mapped[list[float]] = mapped_column(JSON, default=list)  # unix times, oldest first


class QuotaDay(Base):
    """What one platform project spent of one daily quota bucket, shared by every worker.

    YouTube, for one, counts per Google project and Pacific day (videos.insert calls and the
    shared units apart); `day` is the platform's own calendar day, as ISO text.
    """

    __tablename__ = "platform_quota_days"

    project: Mapped[str] = mapped_column(String(200), primary_key=True)
    bucket: Mapped[str] = mapped_column(String(32), primary_key=True)
    day: Mapped[str] = mapped_column(String(10), primary_key=True)
    used: Mapped[int] = mapped_column(default=0)
    exhausted: Mapped[bool] = mapped_column(default=False)  # the platform said so itself


vault.register_wrapped(Account.data_key)
vault.register_wrapped(Delivery.transfer_url_enc)
vault.register_wrapped(WebhookDelivery.body_enc)
vault.register_wrapped(OAuthFlow.verifier_enc)
