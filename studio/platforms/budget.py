"""A per-account budget of platform calls kept in the database, so every worker respects it."""

from __future__ import annotations

import time

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from studio import db
from studio.platforms.models import CallBudget

WINDOW = 60.0  # TikTok counts calls per minute


def take(
    session: Session, account_id: int, bucket: str, limit: int, window: float = WINDOW
) -> float:
    """Record one call if the last `window` seconds leave room: 0.0, else the seconds to wait."""
    return reserve(session, account_id, bucket, limit, window)[0]


def reserve(
    session: Session, account_id: int, bucket: str, limit: int, window: float = WINDOW
) -> tuple[float, float | None]:
    """Like `take`, plus the time recorded for the call (None when it has to wait)."""
    for _attempt in range(3):
        try:
            return _take(session, account_id, bucket, limit, window)
        except IntegrityError:  # two workers created the row at once; the row exists now
            session.rollback()
    return 1.0, None


def settle(session: Session, account_id: int, bucket: str, stamp: float) -> None:
    """Move a recorded call to now, when its answer came (or the client gave up).

    TikTok counts a call when it arrives, somewhere between our record and its answer; a
    call that took longer than the next one could otherwise still be in TikTok's window when
    ours had let it go. Counting from the answer keeps us behind TikTok's clock.
    """
    db.begin_write(session)
    row = _row(session, account_id, bucket)
    if row is not None and stamp in row.calls:
        calls = list(row.calls)
        calls.remove(stamp)
        row.calls = sorted([*calls, max(time.time(), stamp)])
    session.commit()


def _row(session: Session, account_id: int, bucket: str) -> CallBudget | None:
    return session.scalar(
        select(CallBudget)
        .where(CallBudget.account_id == account_id, CallBudget.bucket == bucket)
        .with_for_update()
    )


def _take(
    session: Session, account_id: int, bucket: str, limit: int, window: float
) -> tuple[float, float | None]:
    db.begin_write(session)
    row = _row(session, account_id, bucket)
    if row is None:
        row = CallBudget(account_id=account_id, bucket=bucket, calls=[])
        session.add(row)
    now = time.time()
    calls = [t for t in row.calls if t > now - window]
    if len(calls) >= limit:
        wait = calls[0] + window - now
        session.rollback()
        return max(wait, 0.05), None
    row.calls = [*calls, now]
    session.commit()
    return 0.0, now
