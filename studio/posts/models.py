"""Posts: what staff prepared once, each sent by its deliveries; tombstones of erased posts."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from studio.auth.models import User
from studio.db import NEVER_REUSE_IDS, Base, created_at, intpk, updated_at
from studio.platforms.models import Delivery
from studio.videos.models import Video


class Approval(enum.StrEnum):
    """Where a post stands with its approver (APPROVAL_REQUIRED)."""

    NONE = "none"  # approval was not required when it was made
    PENDING = "pending"
    APPROVED = "approved"
    RETURNED = "returned"  # sent back to the author with a reason


class Post(Base):
    """A video with its caption and product fields, consented once; sent by its deliveries."""

    __tablename__ = "posts"
    __table_args__ = NEVER_REUSE_IDS

    id: Mapped[intpk]
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    video_id: Mapped[int] = mapped_column(ForeignKey("videos.id", ondelete="RESTRICT"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    caption: Mapped[str] = mapped_column(Text, default="")
    hashtags: Mapped[list[str]] = mapped_column(JSON, default=list)
    product_name: Mapped[str] = mapped_column(String(200), default="")
    product_sku: Mapped[str] = mapped_column(String(64), default="")
    is_aigc: Mapped[bool] = mapped_column(default=False)
    consent_text: Mapped[str] = mapped_column(Text, default="")
    approval: Mapped[Approval] = mapped_column(
        String(16), default=Approval.NONE, server_default="none", index=True
    )
    approval_digest: Mapped[str | None] = mapped_column(String(64))  # what was approved
    approved_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    approved_at: Mapped[dt.datetime | None]
    returned_reason: Mapped[str | None] = mapped_column(String(1000))

    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]

    video: Mapped[Video] = relationship(lazy="joined")
    created_by: Mapped[User | None] = relationship(lazy="joined", foreign_keys=[created_by_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    # Deleted with the post by the database (ON DELETE CASCADE) and by the session.
    deliveries: Mapped[list[Delivery]] = relationship(
        lazy="selectin", order_by=Delivery.id, cascade="all, delete-orphan", passive_deletes=True
    )

    def __repr__(self) -> str:
        return f"<Post {self.id} to {len(self.deliveries)} account(s)>"


class PostErasure(Base):
    """A post erased by a deletion request: its number, the request's and when; no content.

    Staff then see a tombstone instead of a post that silently vanished.
    """

    __tablename__ = "post_erasures"

    post_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    request_id: Mapped[int] = mapped_column(index=True)
    erased_at: Mapped[created_at]


class CaptionTemplate(Base):
    """A saved caption with hashtags that staff apply in the prepare form; shared by all."""

    __tablename__ = "caption_templates"
    __table_args__ = NEVER_REUSE_IDS

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(String(80))
    # The name case-folded: unique, so "Launch" and "LAUNCH" cannot both exist even when two
    # people save at the same moment (a plain column: expression indexes trip SQLite's
    # batch migrations). Set with the name, by `folded` below.
    name_key: Mapped[str] = mapped_column(String(255), unique=True)
    caption: Mapped[str] = mapped_column(Text, default="")
    hashtags: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]

    created_by: Mapped[User | None] = relationship(lazy="joined")

    @validates("name")
    def _keep_key(self, _attribute: str, name: str) -> str:
        self.name_key = folded(name)
        return name


def folded(name: str) -> str:
    """What makes two template names the same: case and runs of spaces do not count."""
    return " ".join(name.split()).casefold()
