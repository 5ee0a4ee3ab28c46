"""A per-account budget of TikTok calls kept in the database, so every worker respects it."""

from __future__ import annotations

import time

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from studio import db
from studio.posts.models import PostRateBudget

WINDOW = 60.0  # TikTok counts calls per minute


def take(
    session: Session, account_id: int, bucket: str, limit: int, window: float = WINDOW
) -> float:
    """Record one call if the last `window` seconds leave room: 0.0, else the seconds to wait."""
    for _attempt in range(3):
        try:
            return _take(session, account_id, bucket, limit, window)
        except IntegrityError:  # two workers created the row at once; the row exists now
            session.rollback()
    return 1.0


def _take(session: Session, account_id: int, bucket: str, limit: int, window: float) -> float:
    db.begin_write(session)
    row = session.scalar(
        select(PostRateBudget)
        .where(PostRateBudget.account_id == account_id, PostRateBudget.bucket == bucket)
        .with_for_update()
    )
    if row is None:
        row = PostRateBudget(account_id=account_id, bucket=bucket, calls=[])
        session.add(row)
    now = time.time()
    calls = [t for t in row.calls if t > now - window]
    if len(calls) >= limit:
        wait = calls[0] + window - now
        session.rollback()
        return max(wait, 0.05)
    row.calls = [*calls, now]
    session.commit()
    return 0.0
