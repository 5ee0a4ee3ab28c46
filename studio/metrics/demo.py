"""DEMO DATA, demo mode only: a few weeks of made-up past figures for a newly read account.

In demo mode every platform is the local sandbox, whose figures start the day the demo does,
so a newcomer's charts would show one point. When a round reads an account for the first time
(no snapshot before today), this fills `METRICS_DEMO_DAYS` days before it, backwards from the
figures just read, as if they had grown steadily (a video not before it was published). Only
while METRICS_DEMO_DAYS > 0, which the configuration allows in demo mode and the tests alone.
"""

from __future__ import annotations

import datetime as dt
import math

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from studio import db
from studio.metrics.models import AccountSnapshot, MetricVideo, VideoSnapshot

ACCOUNT_GROWING = ("followers", "likes")  # following and the video count stay as read
VIDEO_FIELDS = ("views", "likes", "comments", "shares", "saves", "reach")
ACCOUNT_GROWTH = 0.006  # of today's account totals per day back
VIDEO_DAYS = 28  # a video read today grew from 0 over about this many days (or since published)


def backfill(session: Session, account_id: int, day: dt.date, days: int) -> int:
    """DEMO DATA: fill the `days` days before `day` for a first-read account; rows added."""
    if days <= 0 or _has_history(session, account_id, day):
        return 0
    db.begin_write(session)
    added = 0
    today = session.scalar(
        select(AccountSnapshot).where(
            AccountSnapshot.account_id == account_id, AccountSnapshot.day == day
        )
    )
    if today is not None:
        rows = [
            {"account_id": account_id, "day": day - dt.timedelta(days=back)}
            | {"following": today.following, "videos": today.videos}
            | {f: _less(getattr(today, f), _days(back) * ACCOUNT_GROWTH) for f in ACCOUNT_GROWING}
            for back in range(1, days + 1)
        ]
        session.execute(insert(AccountSnapshot), rows)
        added += len(rows)
    videos = session.execute(
        select(MetricVideo, VideoSnapshot)
        .join(VideoSnapshot, VideoSnapshot.video_id == MetricVideo.id)
        .where(MetricVideo.account_id == account_id, VideoSnapshot.day == day)
    ).all()
    rows = []
    for video, snap in videos:
        age = (day - video.published_at.date()).days if video.published_at else VIDEO_DAYS
        for back in range(1, min(days, age) + 1):
            share = _days(back) / max(age, 1)
            rows.append(
                {"video_id": video.id, "day": day - dt.timedelta(days=back)}
                | {f: _less(getattr(snap, f), share) for f in VIDEO_FIELDS}
            )
    if rows:
        session.execute(insert(VideoSnapshot), rows)
        added += len(rows)
    session.commit()
    return added


def _has_history(session: Session, account_id: int, day: dt.date) -> bool:
    query = select(AccountSnapshot.id).where(
        AccountSnapshot.account_id == account_id, AccountSnapshot.day < day
    )
    return session.scalar(query.limit(1)) is not None


def _days(back: int) -> float:
    """`back` days, unevenly: some days grow more than others, and totals never shrink."""
    return back + 0.3 * math.sin(back * 1.7)


def _less(value: int | None, share: float) -> int | None:
    """`value` less `share` of it; unknown stays unknown."""
    return None if value is None else max(0, int(value * max(0.0, 1 - share)))
