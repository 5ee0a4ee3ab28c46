"""Records kept in the sandbox's memory: codes, grants, tokens, publishes, uploads."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any


@dataclass
class AuthCode:
    """An authorization code issued by the consent page."""

    code: str
    redirect_uri: str
    scopes: list[str]
    open_id: str
    challenge: str | None
    expires_at: float
    used: bool = False
    grant_id: str | None = None


@dataclass
class Grant:
    """One user's authorization of the client; tokens hang off it."""

    id: str
    open_id: str
    scopes: list[str]
    refresh_expires_at: float
    revoked: bool = False


@dataclass
class AccessToken:
    """A bearer token for the data APIs."""

    token: str
    grant_id: str
    issued_at: float
    expires_at: float
    revoked: bool = False


@dataclass
class Publish:
    """An inbox share or a direct post and its processing status."""

    publish_id: str
    open_id: str
    publish_type: str
    source: str
    created_at: float
    status: str
    post_info: dict[str, Any] = field(default_factory=dict)
    video_url: str | None = None
    video_size: int | None = None
    uploaded_bytes: int = 0
    downloaded_bytes: int = 0
    fail_reason: str | None = None
    post_ids: list[int] = field(default_factory=list)
    sha256: str | None = None

    def status_data(self) -> dict[str, Any]:
        """The `data` object of status/fetch (misspelling kept on purpose)."""
        data: dict[str, Any] = {"status": self.status, "publicaly_available_post_id": self.post_ids}
        if self.source == "FILE_UPLOAD":
            data["uploaded_bytes"] = self.uploaded_bytes
        else:
            data["downloaded_bytes"] = self.downloaded_bytes
        if self.status == "FAILED":
            data["fail_reason"] = self.fail_reason or "internal"
        return data

    def summary(self) -> dict[str, Any]:
        """Status plus identity, for the state inspection endpoint."""
        return {
            **self.status_data(),
            "open_id": self.open_id,
            "publish_type": self.publish_type,
            "source": self.source,
            "post_info": self.post_info,
            "sha256": self.sha256,
        }


@dataclass
class Upload:
    """The server side of one upload_url; keeps only counts and a running sha256."""

    upload_id: str
    secret: str
    publish_id: str
    video_size: int
    chunk_size: int
    total_chunks: int
    expires_at: float
    next_chunk: int = 0
    received: int = 0
    busy: bool = False
    last_chunk_digest: str | None = None
    hasher: Any = field(default_factory=hashlib.sha256)
    prev_hasher: Any = field(default_factory=hashlib.sha256)

    def chunk_bounds(self, index: int) -> tuple[int, int]:
        """Inclusive first and last byte of chunk `index` (the last chunk absorbs the rest)."""
        first = index * self.chunk_size
        if index == self.total_chunks - 1:
            return first, self.video_size - 1
        last = first + self.chunk_size - 1
        return first, last

    def summary(self) -> dict[str, Any]:
        """Progress and the running sha256, for the state inspection endpoint."""
        return {
            "publish_id": self.publish_id,
            "received": self.received,
            "next_chunk": self.next_chunk,
            "total_chunks": self.total_chunks,
            "video_size": self.video_size,
            "complete": self.complete,
            "sha256": self.hasher.hexdigest(),
        }

    @property
    def complete(self) -> bool:
        """True once every chunk has been accepted."""
        return self.next_chunk >= self.total_chunks


@dataclass
class Video:
    """A public video on a creator's profile (posted through the API or from the TikTok app)."""

    id: str
    open_id: str
    created_at: float
    title: str
