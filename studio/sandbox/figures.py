"""Figures that grow with time (views, followers) unless a test set them; shared by the fakes.

A subject's figures are ``base + rate × factor × days`` since the subject began, where the
factor is stable per subject (so videos do not all grow alike). A test may pin any figure,
or set it to None: the fake then leaves it out of its answer ("not available yet").
"""

from __future__ import annotations

import hashlib
from typing import Any

DAY = 86_400.0
VIDEO_RATES = {"views": 420.0, "likes": 31.0, "comments": 4.0, "shares": 2.5}
ACCOUNT_RATES = {"followers": 24.0, "following": 0.2, "likes": 55.0}


def factor(key: str) -> float:
    """A stable factor in [0.5, 1.5) for one subject."""
    return 0.5 + int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) / 2**32


class Figures:
    """The pinned figures and a clock offset; the owning state's lock guards it."""

    def __init__(self) -> None:
        self.pinned: dict[str, dict[str, int | None]] = {}
        self.offset = 0.0

    def pin(self, changes: dict[str, Any]) -> None:
        """`{key: {field: int | None}}`: fix these figures (None: not available)."""
        for key, fields in changes.items():
            if not isinstance(fields, dict):
                raise ValueError(f"figures of {key!r} must be an object")
            for name, value in fields.items():
                if value is not None and (not isinstance(value, int) or value < 0):
                    raise ValueError(f"{key}.{name} must be a non-negative integer or null")
            self.pinned.setdefault(str(key), {}).update(fields)

    def grown(
        self, key: str, since: float, now: float, rates: dict[str, float], base: dict[str, int]
    ) -> dict[str, int | None]:
        """The subject's figures at `now` (pinned ones win)."""
        days = max(0.0, (now + self.offset - since) / DAY)
        k = factor(key)
        out: dict[str, int | None] = {
            name: base.get(name, 0) + int(rate * k * days) for name, rate in rates.items()
        }
        out.update(self.pinned.get(key, {}))
        return out
