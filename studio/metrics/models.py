"""Daily snapshots of lifetime totals: per account, and per video (ours or published outside)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from studio.db import NEVER_REUSE_IDS, Base, created_at, intpk


class MetricVideo(Base):
    """A video of a connected account: sent by one of our deliveries, or published outside.

    ``delivery_id`` is None for videos the account published outside the app (found in its
    recent videos); ``remote_id`` is the platform's video id.
    """

    __tablename__ = "metric_videos"
    __table_args__ = (UniqueConstraint("account_id", "remote_id"), NEVER_REUSE_IDS)

    id: Mapped[intpk]
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    delivery_id: Mapped[int | None] = mapped_column(
        ForeignKey("deliveries.id", ondelete="SET NULL"), index=True
    )
    remote_id: Mapped[str] = mapped_column(String(64))
    title: Mapped[str | None] = mapped_column(String(300))
    published_at: Mapped[dt.datetime | None]
    first_seen_at: Mapped[created_at]

    @property
    def outside(self) -> bool:
        """True for a video the account published outside the app."""
        return self.delivery_id is None


class AccountSnapshot(Base):
    """An account's lifetime totals on one (UTC) day; None: the platform gave no figure."""

    __tablename__ = "account_snapshots"
    __table_args__ = (UniqueConstraint("account_id", "day"), NEVER_REUSE_IDS)

    id: Mapped[intpk]
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    day: Mapped[dt.date] = mapped_column(Date)
    followers: Mapped[int | None] = mapped_column(BigInteger)
    following: Mapped[int | None] = mapped_column(BigInteger)
    likes: Mapped[int | None] = mapped_column(BigInteger)
    videos: Mapped[int | None] = mapped_column(BigInteger)
    taken_at: Mapped[created_at]


class VideoSnapshot(Base):
    """A video's lifetime totals on one (UTC) day; None: not available (yet)."""

    __tablename__ = "video_snapshots"
    __table_args__ = (
        UniqueConstraint("video_id", "day"),  # a video's first/last day in a range: one seek
        # the per-day totals are summed from the index alone (migration 0022)
        Index("ix_video_snapshots_day_figures", "day", "views", "likes", "comments", "shares"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[intpk]
    video_id: Mapped[int] = mapped_column(ForeignKey("metric_videos.id", ondelete="CASCADE"))
    day: Mapped[dt.date] = mapped_column(Date)
    views: Mapped[int | None] = mapped_column(BigInteger)
    likes: Mapped[int | None] = mapped_column(BigInteger)
    comments: Mapped[int | None] = mapped_column(BigInteger)
    shares: Mapped[int | None] = mapped_column(BigInteger)
    saves: Mapped[int | None] = mapped_column(BigInteger)
    reach: Mapped[int | None] = mapped_column(BigInteger)
    taken_at: Mapped[created_at]


class MetricRound(Base):
    """How an account's last snapshot round went: when, what it cost, why it fell short."""

    __tablename__ = "metric_rounds"

    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    ran_at: Mapped[created_at]
    calls: Mapped[int] = mapped_column(default=0)
    note: Mapped[str | None] = mapped_column(String(300))
