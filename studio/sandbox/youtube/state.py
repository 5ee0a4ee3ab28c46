"""The YouTube sandbox's in-memory state, guarded by one lock, with a movable clock."""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

from studio.sandbox import kit
from studio.sandbox.figures import Figures
from studio.sandbox.youtube import growth
from studio.sandbox.youtube.config import YouTubeConfig
from studio.sandbox.youtube.models import Access, Code, Grant, Session, Video


class YouTubeState(kit.State):
    """Everything the fake Google remembers; take `lock` before touching the dicts."""

    config: YouTubeConfig

    def reset(self) -> None:
        """Forget codes, tokens, sessions, videos, quota, counters and rules; keep the config."""
        with self.lock:
            super().reset()
            self.offset = 0.0
            self.codes: dict[str, Code] = {}
            self.grants: dict[str, Grant] = {}
            self.access: dict[str, Access] = {}
            self.refresh: dict[str, str] = {}  # refresh token → grant id
            self.offline: dict[str, set[str]] = {}  # channel key → scopes granted offline
            self.sessions: dict[str, Session] = {}
            self.videos: dict[str, Video] = {}
            self.quota: Counter[str] = Counter()  # "units", "uploads", "uploads:<channel>"
            self.quota_day = ""
            self.channel_uploads: dict[str, list[float]] = {}
            self.started = self.now()
            self.figures = Figures()
            growth.seed(self)

    def now(self) -> float:
        """The sandbox's clock: wall time plus what `advance` added."""
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        """Move the clock forward (token, session and quota-day expiry without waiting)."""
        with self.lock:
            self.offset += seconds

    def configure(self, **changes: Any) -> None:
        """Change config keys at runtime (see YouTubeConfig)."""
        kit.configure(self, changes)

    def summary(self) -> dict[str, Any]:
        """A JSON-friendly snapshot for tests and demos (no tokens, no session URIs)."""
        from studio.sandbox.youtube import quota

        with self.lock:
            now = self.now()
            return {
                "counters": dict(self.counters),
                "grants": sum(1 for g in self.grants.values() if not g.revoked),
                "active_access_tokens": sum(
                    1
                    for a in self.access.values()
                    if a.expires_at > now and not self.grants[a.grant_id].revoked
                ),
                "refresh_tokens": len(self.refresh),
                "sessions": [s.summary() for s in self.sessions.values()],
                # Uploads through the API (videos made in YouTube Studio have no bytes here).
                "videos": {v.id: v.summary() for v in self.videos.values() if v.sha256},
                "quota": quota.usage(self),
                "fault_rules": [dict(rule) for rule in self.fault_rules],
                "clock_offset": self.offset,
            }
