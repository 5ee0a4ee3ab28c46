"""Daemon timers a sandbox state schedules and cancels on reset (TikTok's and Meta's)."""

from __future__ import annotations

import threading
from typing import Any


class Timers:
    """Mixin: `schedule` and `cancel_timers` over `self.lock` and `self.timers`."""

    lock: threading.RLock
    timers: set[threading.Timer]

    def schedule(self, delay: float, func: Any, *args: Any) -> None:
        """Run `func(*args)` after `delay` seconds on a daemon timer that reset() cancels."""

        def run() -> None:
            with self.lock:
                self.timers.discard(timer)
            func(*args)

        timer = threading.Timer(max(delay, 0.0), run)
        timer.daemon = True
        with self.lock:
            self.timers.add(timer)
        timer.start()

    def cancel_timers(self) -> None:
        """Stop all pending transitions."""
        with self.lock:
            for timer in self.timers:
                timer.cancel()
            self.timers.clear()
