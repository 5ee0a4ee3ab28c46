"""Daily quotas of a platform project counted in the database, so every worker respects them.

`budget.py` paces calls per account and minute; this counts what a whole project (one OAuth
client) spent of a bucket on the platform's calendar day, and remembers when the platform
itself said the bucket is empty.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from studio import db
from studio.platforms.models import QuotaDay


def spend(session: Session, project: str, bucket: str, day: str, cost: int, limit: int) -> bool:
    """Count `cost` units when the day's bucket has room; False (nothing counted) when not."""
    for _attempt in range(3):
        try:
            return _spend(session, project, bucket, day, cost, limit)
        except IntegrityError:  # two workers created the row at once; it exists now
            session.rollback()
    return False


def exhaust(session: Session, project: str, bucket: str, day: str) -> None:
    """The platform says the bucket is empty today: every worker waits for the next day."""
    for _attempt in range(3):
        try:
            db.begin_write(session)
            row = _row(session, project, bucket, day)
            row.exhausted = True
            session.commit()
            return
        except IntegrityError:
            session.rollback()


def used(session: Session, project: str, bucket: str, day: str) -> tuple[int, bool]:
    """Units counted so far on `day`, and whether the platform said the bucket is empty."""
    row = session.get(QuotaDay, (project, bucket, day))
    return (row.used, row.exhausted) if row is not None else (0, False)


def _spend(session: Session, project: str, bucket: str, day: str, cost: int, limit: int) -> bool:
    db.begin_write(session)
    row = _row(session, project, bucket, day)
    if row.exhausted or row.used + cost > limit:
        session.rollback()
        return False
    row.used += cost
    session.commit()
    return True


def _row(session: Session, project: str, bucket: str, day: str) -> QuotaDay:
    """The day's row, locked (created when missing)."""
    row = session.scalar(
        select(QuotaDay)
        .where(QuotaDay.project == project, QuotaDay.bucket == bucket, QuotaDay.day == day)
        .with_for_update()
    )
    if row is None:
        row = QuotaDay(project=project, bucket=bucket, day=day, used=0, exhausted=False)
        session.add(row)
        session.flush()
    return row
