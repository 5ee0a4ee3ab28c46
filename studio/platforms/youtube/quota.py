"""YouTube's daily quota per Google project: the videos.insert bucket and the shared units.

Costs and limits: docs/platforms/youtube.md, "Quota (2026)". Days are Pacific days (Google
resets every bucket at midnight Pacific time). Publishing and, later, metrics spend from the
same counters, which live in the database so every worker respects them.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime

from flask import current_app
from sqlalchemy.orm import Session

from studio.platforms import quota
from studio.platforms.youtube.connection import PLATFORM
from studio.platforms.youtube.errors import PACIFIC, next_pacific_midnight

UPLOADS, UNITS = "uploads", "units"
# method → (bucket, cost): videos.insert has its own bucket since 2026-06-01 (1 per call);
# everything else shares the units (channels.list and videos.list cost 1).
COSTS = {
    "videos.insert": (UPLOADS, 1),
    "videos.list": (UNITS, 1),
    "channels.list": (UNITS, 1),
}
LIMIT_KEYS = {UPLOADS: "YOUTUBE_QUOTA_UPLOADS_PER_DAY", UNITS: "YOUTUBE_QUOTA_UNITS_PER_DAY"}


class QuotaSpent(Exception):
    """The project's bucket is empty for today; `retry_at` is the next Pacific midnight."""

    def __init__(self, bucket: str, retry_at: datetime) -> None:
        super().__init__(f"YouTube's daily {bucket} quota is used up")
        self.bucket, self.retry_at = bucket, retry_at


def project() -> str:
    """The Google project the quota belongs to, named by its OAuth client id (not secret)."""
    return f"{PLATFORM}:{current_app.config['YOUTUBE_CLIENT_ID']}"


def today(now: datetime | None = None) -> str:
    """The Pacific day Google counts in, as ISO text."""
    return (now or datetime.now(UTC)).astimezone(PACIFIC).date().isoformat()


def limit(bucket: str) -> int:
    """The project's daily allowance of `bucket` (configurable after a quota extension)."""
    return int(current_app.config[LIMIT_KEYS[bucket]])


def spend(session: Session, method: str, now: datetime | None = None) -> None:
    """Count one call of `method` before making it; QuotaSpent when today's bucket is empty."""
    bucket, cost = COSTS[method]
    now = now or datetime.now(UTC)
    if not quota.spend(session, project(), bucket, today(now), cost, limit(bucket)):
        raise QuotaSpent(bucket, next_pacific_midnight(now))


def count(session: Session, method: str, now: datetime | None = None) -> None:
    """Count a call that is made whatever the count says (connecting reads the channel)."""
    bucket, cost = COSTS[method]
    quota.spend(session, project(), bucket, today(now), cost, sys.maxsize)


def exhausted(session: Session, method: str, now: datetime | None = None) -> datetime:
    """Google answered quotaExceeded for `method`: its bucket waits for the reset; when."""
    now = now or datetime.now(UTC)
    quota.exhaust(session, project(), COSTS[method][0], today(now))
    return next_pacific_midnight(now)


def uploads_spent(session: Session, start: datetime) -> int:
    """Uploads this project already spent on the Pacific day holding ``start`` (all of them
    once Google said the bucket is empty): what the scheduling check counts besides plans."""
    spent, empty = quota.used(session, project(), UPLOADS, today(start))
    return limit(UPLOADS) if empty else spent


def usage(session: Session, now: datetime | None = None) -> list[dict[str, object]]:
    """Today's spending per bucket, for the account page."""
    day = today(now)
    rows = []
    for bucket, label in ((UPLOADS, "video uploads"), (UNITS, "other API units")):
        spent, empty = quota.used(session, project(), bucket, day)
        rows.append(
            {
                "bucket": bucket,
                "label": label,
                "used": spent,
                "limit": limit(bucket),
                "empty": empty,
            }
        )
    return rows
