"""What the Meta sandbox remembers: grants, tokens, codes, transfers, containers, videos."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Code:
    """A login code: single use, bound to the redirect_uri of the dialog."""

    code: str
    person: str
    redirect_uri: str
    scopes: list[str]
    expires_at: float
    used: bool = False


@dataclass
class Grant:
    """One person's authorization of the app; revoked by DELETE /me/permissions or removal."""

    id: int
    person: str
    scopes: list[str]
    revoked: bool = False


@dataclass
class Token:
    """An access token: kind `short`, `long` (user) or `page`; expires_at None = never."""

    token: str
    kind: str
    grant_id: int
    person: str
    expires_at: float | None
    page_id: str | None = None
    parent: str | None = None  # a Page token's user token
    revoked: bool = False

    def expired(self, now: float | None = None) -> bool:
        """True once past its lifetime."""
        return self.expires_at is not None and (now or time.time()) >= self.expires_at


@dataclass
class Transfer:
    """Bytes sent to one rupload URL: counted and hashed as they arrive, never stored."""

    file_size: int | None = None
    offset: int = 0
    busy: bool = False
    hasher: Any = field(default_factory=hashlib.sha256)

    @property
    def complete(self) -> bool:
        """All declared bytes arrived."""
        return self.file_size is not None and self.offset >= self.file_size

    def summary(self) -> dict[str, Any]:
        """JSON-friendly view (sha256 only once complete)."""
        return {
            "file_size": self.file_size,
            "offset": self.offset,
            "complete": self.complete,
            "sha256": self.hasher.hexdigest() if self.complete else None,
        }


@dataclass
class Container:
    """An IG media container: IN_PROGRESS → FINISHED | ERROR, EXPIRED after the TTL."""

    id: str
    ig_id: str
    grant_id: int
    media_type: str
    params: dict[str, Any]
    created_at: float
    resumable: bool
    status_code: str = "IN_PROGRESS"
    error_subcode: int | None = None
    media_id: str | None = None
    transfer: Transfer = field(default_factory=Transfer)

    def current(self, ttl: float, now: float | None = None) -> str:
        """The status right now (EXPIRED is computed: not published within the TTL)."""
        if self.status_code != "PUBLISHED" and (now or time.time()) >= self.created_at + ttl:
            return "EXPIRED"
        return self.status_code

    def summary(self, ttl: float) -> dict[str, Any]:
        """JSON-friendly view."""
        return {
            "id": self.id,
            "ig_id": self.ig_id,
            "media_type": self.media_type,
            "status_code": self.current(ttl),
            "error_subcode": self.error_subcode,
            "media_id": self.media_id,
            "params": dict(self.params),
            "upload": self.transfer.summary(),
        }


@dataclass
class Video:
    """A Page Reel: upload phase, then (after finish) processing and publishing phases."""

    id: str
    page_id: str
    created_at: float
    processing: str = "not_started"  # not_started | in_progress | complete | error
    publishing: str = "not_started"  # not_started | in_progress | complete
    video_state: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    published_at: float | None = None
    error: dict[str, Any] | None = None
    transfer: Transfer = field(default_factory=Transfer)

    def status(self) -> dict[str, Any]:
        """The `status` field as GET /{video-id}?fields=status shows it."""
        upload = "complete" if self.transfer.complete else "in_progress"
        if self.transfer.offset == 0 and not self.transfer.complete:
            upload = "not_started"
        if self.error is not None:
            video_status = "error"
        elif self.publishing == "complete" or (
            self.processing == "complete" and self.video_state == "DRAFT"
        ):
            video_status = "ready"
        elif self.processing in ("in_progress", "complete"):
            video_status = "processing"
        else:
            video_status = "upload_complete" if upload == "complete" else "uploading"
        processing: dict[str, Any] = {"status": self.processing}
        if self.error is not None:
            processing["errors"] = [self.error]
        publish_status = "published" if self.publishing == "complete" else "not_published"
        publishing: dict[str, Any] = {"status": self.publishing, "publish_status": publish_status}
        if self.published_at is not None:
            publishing["publish_time"] = int(self.published_at)
        return {
            "video_status": video_status,
            "uploading_phase": {"status": upload, "bytes_transfered": self.transfer.offset},
            "processing_phase": processing,
            "publishing_phase": publishing,
        }

    def summary(self) -> dict[str, Any]:
        """JSON-friendly view."""
        return {
            "id": self.id,
            "page_id": self.page_id,
            "video_state": self.video_state,
            "params": dict(self.params),
            "status": self.status(),
            "upload": self.transfer.summary(),
        }
