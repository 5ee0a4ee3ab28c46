"""The Meta sandbox's in-memory state, guarded by one lock (single process)."""

from __future__ import annotations

import itertools
import secrets
import time
from collections import deque
from typing import Any

from studio.sandbox import kit
from studio.sandbox.figures import Figures
from studio.sandbox.meta import growth
from studio.sandbox.meta.config import MetaConfig
from studio.sandbox.meta.models import Code, Container, Grant, Token, Video


class MetaState(kit.State):
    """Everything the fake Meta remembers; take `lock` before touching the dicts."""

    config: MetaConfig

    def reset(self) -> None:
        """Forget codes, grants, tokens, media, counters and fault rules; keep the config."""
        with self.lock:
            super().reset()
            self.ids = itertools.count(1)
            self.codes: dict[str, Code] = {}
            self.grants: dict[int, Grant] = {}
            self.tokens: dict[str, Token] = {}
            self.containers: dict[str, Container] = {}
            self.videos: dict[str, Video] = {}
            self.ig_published: list[dict[str, Any]] = []
            self.reels_published: list[dict[str, Any]] = []
            self.windows: dict[str, deque[float]] = {}
            self.callbacks: list[dict[str, Any]] = []
            self.started = time.time()
            self.figures = Figures()
            self.outside: list[growth.Media] = []
            growth.seed(self)

    def new_id(self, prefix: str) -> str:
        """A numeric id shaped like Meta's (prefix digits, then a counter and noise)."""
        with self.lock:
            serial = next(self.ids)
        return f"{prefix}{serial:06d}{secrets.randbelow(10**6):06d}"

    def usage(self, key: str, record: bool = True) -> tuple[int, bool]:
        """Record a call for `key` on the sliding window; (percent used, over the limit)."""
        now = time.monotonic()
        cfg = self.config
        with self.lock:
            window = self.windows.setdefault(key, deque())
            while window and window[0] <= now - cfg.rate_limit_window:
                window.popleft()
            over = len(window) >= cfg.rate_limit_calls
            if record and not over:
                window.append(now)
            percent = min(100, len(window) * 100 // max(cfg.rate_limit_calls, 1))
            return (100 if over else percent), over

    def published_since(self, records: list[dict[str, Any]], key: str, value: str) -> int:
        """How many of `records` with record[key] == value fall in the last 24 h."""
        since = time.time() - self.config.quota_duration
        with self.lock:
            return sum(1 for r in records if r[key] == value and r["at"] >= since)

    def summary(self) -> dict[str, Any]:
        """A JSON-friendly snapshot for tests and demos (no token values)."""
        now = time.time()
        ttl = self.config.container_ttl
        with self.lock:
            return {
                "counters": dict(self.counters),
                "grants": [
                    {"id": g.id, "person": g.person, "scopes": g.scopes, "revoked": g.revoked}
                    for g in self.grants.values()
                ],
                "active_tokens": sum(
                    1 for t in self.tokens.values() if not t.revoked and not t.expired(now)
                ),
                "containers": {c.id: c.summary(ttl) for c in self.containers.values()},
                "videos": {v.id: v.summary() for v in self.videos.values()},
                "ig_published": [dict(r) for r in self.ig_published],
                "reels_published": [dict(r) for r in self.reels_published],
                "callbacks": [
                    {k: v for k, v in c.items() if k != "signed_request"} for c in self.callbacks
                ],
                "fault_rules": [dict(rule) for rule in self.fault_rules],
            }
