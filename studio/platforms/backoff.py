"""Exponential backoff with full jitter, shared by the platforms' send loops."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Backoff:
    """Bounded by consecutive failures without progress; `sleep` is injectable for tests."""

    attempts: int = 8
    base: float = 1.0
    cap: float = 60.0
    sleep: Callable[[float], None] = time.sleep

    def wait(self, failures: int) -> None:
        """Sleep before retry number `failures` (1, 2, …)."""
        self.sleep(random.uniform(0, min(self.cap, self.base * 2 ** (failures - 1))))
