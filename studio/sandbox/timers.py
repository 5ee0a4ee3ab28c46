"""Daemon timers that a sandbox state can cancel all at once (status and processing steps)."""

from __future__ import annotations

import threading
from typing import Any


class Timers:
    """Mixin: needs `self.lock`; keeps `self.timers`."""

    lock: Any
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
        """Stop all pending timed steps."""
        with self.lock:
            for timer in self.timers:
                timer.cancel()
            self.timers.clear()
