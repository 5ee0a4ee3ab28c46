"""A send_video run against the sandbox, with everything it reported kept for the checks."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from studio.platforms.youtube.client import YouTubeClient
from studio.platforms.youtube.results import UploadProgress
from studio.platforms.youtube.resume import Backoff, send_video
from studio.platforms.youtube.rules import VideoMetadata
from studio.sandbox.server import SandboxServer
from tests.platforms.youtube.support import UNIT, details


@dataclass
class Run:
    """One upload: the client, the file, what the callbacks and the backoff saw."""

    client: YouTubeClient
    token: str
    path: Path
    meta: VideoMetadata = field(default_factory=details)
    offsets: list[int] = field(default_factory=list)
    sessions: list[str] = field(default_factory=list)
    waits: list[float] = field(default_factory=list)

    @property
    def size(self) -> int:
        return self.path.stat().st_size

    def start(self) -> str:
        """A new session for this file (what the caller's start_session does)."""
        return self.client.start_upload(self.token, self.meta, self.size, "video/mp4")

    def send(
        self, session_uri: str | None = None, chunk: int = 2 * UNIT, **kwargs: Any
    ) -> UploadProgress:
        """send_video with fast, recorded backoff."""
        backoff = Backoff(attempts=kwargs.pop("attempts", 5), base=0.001, sleep=self.waits.append)
        return send_video(
            self.client,
            self.path,
            self.size,
            "video/mp4",
            session_uri=session_uri,
            start_session=self.start,
            on_session=self.sessions.append,
            progress=self.offsets.append,
            chunk_size=chunk,
            backoff=backoff,
            **kwargs,
        )

    def sha256(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()


def videos(server: SandboxServer) -> list[dict[str, Any]]:
    """The sandbox's videos."""
    return list(server.youtube.summary()["videos"].values())
