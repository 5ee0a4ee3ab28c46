"""Formatting filters: relative times are rounded, not truncated."""

from __future__ import annotations

import datetime as dt

from studio.templating import time_until

NOW = dt.datetime(2026, 12, 7, 0, 0, tzinfo=dt.UTC)


def later(**delta: float) -> str:
    return time_until(NOW + dt.timedelta(**delta), now=NOW)


def test_a_token_two_hours_away_reads_two_hours() -> None:
    assert later(hours=2, seconds=-2) == "in 2 h"  # issued a moment ago with a 7200 s lifetime
    assert later(hours=1, minutes=59) == "in 1 h 59 min"
    assert later(hours=1, minutes=20) == "in 1 h 20 min"


def test_other_spans() -> None:
    assert later(seconds=20) == "in moments"
    assert later(minutes=44, seconds=40) == "in 45 min"
    assert later(hours=23, minutes=50) == "in 24 h"
    assert later(days=364, hours=23) == "in 365 days"
    assert later(days=-2) == "2 days ago"
