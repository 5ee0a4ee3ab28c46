"""Uploaded videos and the resumable upload sessions that produce them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from studio.auth.models import User
from studio.db import NEVER_REUSE_IDS, Base, created_at, intpk, utcnow

CONTENT_TYPES = {"mp4": "video/mp4", "mov": "video/quicktime", "webm": "video/webm"}
LABELS = {"mp4": "MP4", "mov": "MOV", "webm": "WebM", "h264": "H.264", "hevc": "H.265",
          "vp8": "VP8", "vp9": "VP9"}  # fmt: skip


class Video(Base):
    """A validated video in the library; the file may be gone (retention) while the row stays."""

    __tablename__ = "videos"
    __table_args__ = NEVER_REUSE_IDS

    id: Mapped[intpk]
    # "blake3:<hex>" (or "sha256:<hex>" for rows stored before 0012): see videos/digest.py.
    content_hash: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(255))
    storage_name: Mapped[str] = mapped_column(String(64))
    poster_name: Mapped[str | None] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    container: Mapped[str] = mapped_column(String(16))
    video_codec: Mapped[str] = mapped_column(String(16))
    duration_s: Mapped[float]
    width: Mapped[int]
    height: Mapped[int]
    fps: Mapped[float]
    has_audio: Mapped[bool] = mapped_column(default=False)
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[created_at]
    file_deleted_at: Mapped[dt.datetime | None]

    uploaded_by: Mapped[User | None] = relationship(lazy="joined")

    @property
    def content_type(self) -> str:
        """The MIME type TikTok and browsers expect for this container."""
        return CONTENT_TYPES.get(self.container, "video/mp4")

    @property
    def has_file(self) -> bool:
        """True while the local file is kept (retention or erasure removes it)."""
        return self.file_deleted_at is None

    @property
    def format_label(self) -> str:
        """Container and codec as people write them: "MP4 · H.264"."""
        return f"{LABELS.get(self.container, self.container)} · " + LABELS.get(
            self.video_codec, self.video_codec
        )

    @property
    def orientation(self) -> str:
        """ "portrait", "landscape" or "square", as people describe a frame."""
        if self.height > self.width:
            return "portrait"
        return "landscape" if self.width > self.height else "square"


class UploadSession(Base):
    """A resumable upload in progress: bytes up to `offset` are durable in the part file."""

    __tablename__ = "upload_sessions"

    id: Mapped[str] = mapped_column(String(43), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    display_name: Mapped[str] = mapped_column(String(255))
    length: Mapped[int] = mapped_column(BigInteger)
    offset: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[created_at]
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(index=True)

    @property
    def is_complete(self) -> bool:
        return self.offset >= self.length

    def is_expired(self, now: dt.datetime | None = None) -> bool:
        return (now or utcnow()) >= self.expires_at
