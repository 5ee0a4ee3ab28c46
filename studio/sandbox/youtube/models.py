"""Records the YouTube sandbox keeps in memory: codes, grants, tokens, sessions, videos."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Code:
    """An authorization code from the consent page."""

    code: str
    client_id: str
    redirect_uri: str
    scopes: list[str]
    channel: str
    challenge: str | None
    offline: bool
    issue_refresh: bool
    expires_at: float
    used: bool = False
    grant_id: str | None = None


@dataclass
class Grant:
    """One consent of a Google account to the client; tokens hang off it."""

    id: str
    channel: str
    scopes: list[str]
    consented_at: float
    refreshes: int = 0
    revoked: bool = False


@dataclass
class Access:
    """A bearer access token."""

    token: str
    grant_id: str
    expires_at: float


@dataclass
class Session:
    """A resumable upload session; `upload_id` is the capability in its URI."""

    upload_id: str
    channel: str
    total: int
    content_type: str
    parts: list[str]
    metadata: dict[str, Any]
    notify: bool
    expires_at: float
    received: int = 0
    hasher: Any = field(default_factory=hashlib.sha256)
    video_id: str | None = None
    busy: bool = False

    def summary(self) -> dict[str, Any]:
        """JSON-friendly view (no upload_id: the summary may be logged)."""
        return {
            "channel": self.channel,
            "total": self.total,
            "received": self.received,
            "complete": self.video_id is not None,
            "video_id": self.video_id,
        }


@dataclass
class Video:
    """An uploaded video and its processing state."""

    id: str
    channel: str
    metadata: dict[str, Any]
    parts: list[str]
    size: int
    sha256: str
    content_type: str
    notify: bool
    published_at: str
    upload_status: str = "uploaded"
    processing_status: str = "processing"
    parts_processed: int = 0
    failure_reason: str | None = None
    rejection_reason: str | None = None
    processing_failure_reason: str | None = None

    def summary(self) -> dict[str, Any]:
        """JSON-friendly view for tests."""
        return {
            "id": self.id,
            "channel": self.channel,
            "bytes": self.size,
            "sha256": self.sha256,
            "upload_status": self.upload_status,
            "processing_status": self.processing_status,
            "failure_reason": self.failure_reason,
            "rejection_reason": self.rejection_reason,
            "notify_subscribers": self.notify,
            "metadata": self.metadata,
        }
