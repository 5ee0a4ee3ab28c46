"""The sandbox's in-memory state, guarded by one lock (the sandbox is a single process)."""

from __future__ import annotations

import time
from collections import deque
from typing import Any

from studio.sandbox import kit
from studio.sandbox.catalog import seed
from studio.sandbox.config import SandboxConfig
from studio.sandbox.figures import Figures
from studio.sandbox.models import AccessToken, AuthCode, Grant, Publish, Upload, Video


class SandboxState(kit.State):
    """Everything the fake TikTok remembers; take `lock` before touching the dicts."""

    config: SandboxConfig

    def reset(self) -> None:
        """Forget all codes, tokens, publishes and counters; keep the config."""
        with self.lock:
            super().reset()
            self.codes: dict[str, AuthCode] = {}
            self.grants: dict[str, Grant] = {}
            self.access: dict[str, AccessToken] = {}
            self.refresh: dict[str, str] = {}
            self.publishes: dict[str, Publish] = {}
            self.uploads: dict[str, Upload] = {}
            self.windows: dict[tuple[str, str], deque[float]] = {}
            self.webhooks: list[dict[str, Any]] = []
            self.started = time.time()
            self.figures = Figures()
            self.videos: dict[str, Video] = {}
            seed(self.videos, self.started)

    def hit_rate_limit(
        self, token: str, bucket: str, limit: int, arrived: float | None = None
    ) -> bool:
        """Record a call on a sliding window; True when it exceeds `limit`.

        `arrived` (time.monotonic()) is when the request reached us: a gateway counts calls
        as they come in, before a slow backend gets to them.
        """
        now = time.monotonic() if arrived is None else arrived
        with self.lock:
            window = self.windows.setdefault((token, bucket), deque())
            while window and window[0] <= now - self.config.rate_limit_window:
                window.popleft()
            if len(window) >= limit:
                # Told apart from injected 429s: a client that respects the limits has none.
                self.counters["rate_limited"] += 1
                self.counters[f"rate_limited_{bucket}"] += 1
                return True
            window.append(now)
            return False

    def summary(self) -> dict[str, Any]:
        """A JSON-friendly snapshot for tests and demos."""
        with self.lock:
            uploads = [u.summary() for u in self.uploads.values()]
            return {
                "counters": dict(self.counters),
                "grants": len(self.grants),
                "active_access_tokens": sum(
                    1 for t in self.access.values() if not t.revoked and t.expires_at > time.time()
                ),
                "completed_uploads": [
                    {"publish_id": u["publish_id"], "bytes": u["received"], "sha256": u["sha256"]}
                    for u in uploads
                    if u["complete"]
                ],
                "uploads": {u["publish_id"]: u for u in uploads},
                "publishes": {p.publish_id: p.summary() for p in self.publishes.values()},
                "webhooks": [{**w, "attempts": list(w["attempts"])} for w in self.webhooks],
                "fault_rules": [dict(rule) for rule in self.fault_rules],
            }

    def send_webhook(
        self, event: str, open_id: str, content: dict[str, Any], wait: bool = False
    ) -> dict[str, Any]:
        """Send a signed webhook event to `config.webhook_url` (see webhooks.send_webhook)."""
        from studio.sandbox.webhooks import send_webhook

        return send_webhook(self, event, open_id, content, wait)
