"""Erasing what the metrics room owns: an account's snapshots, and snapshots past retention."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from studio import db
from studio.db import utcnow
from studio.metrics.models import AccountSnapshot, MetricRound, MetricVideo, VideoSnapshot
from studio.platforms import registry
from studio.platforms.models import Account


def erase_for_account(session: Session, account_id: int | None) -> dict[str, int]:
    """Delete every snapshot, video and round of the account; the caller commits."""
    if account_id is None:
        return {}
    videos = select(MetricVideo.id).where(MetricVideo.account_id == account_id)
    counts = {
        "metric_snapshots": _deleted(
            session, delete(VideoSnapshot).where(VideoSnapshot.video_id.in_(videos))
        )
        + _deleted(
            session, delete(AccountSnapshot).where(AccountSnapshot.account_id == account_id)
        ),
        "metric_videos": _deleted(
            session, delete(MetricVideo).where(MetricVideo.account_id == account_id)
        ),
    }
    session.execute(delete(MetricRound).where(MetricRound.account_id == account_id))
    return {k: v for k, v in counts.items() if v}


def purge_expired(session: Session, today: dt.date | None = None) -> int:
    """Delete what is older than its platform's retention (`Metrics.retention_days`).

    Snapshots taken before the cutoff go, and so do videos (id, title, date) not refreshed
    since: seen first before the cutoff and without a snapshot after it (a video deleted at
    the platform, or no longer read). YouTube's policies allow 30 days without a refresh.
    """
    today = today or utcnow().date()
    removed = 0
    db.begin_write(session)
    for platform, metrics in registry.with_metrics():
        cutoff = today - dt.timedelta(days=metrics.retention_days)
        since = dt.datetime.combine(cutoff, dt.time(), tzinfo=dt.UTC)
        accounts = select(Account.id).where(Account.platform == platform.name)
        videos = select(MetricVideo.id).where(MetricVideo.account_id.in_(accounts))
        removed += _deleted(
            session,
            delete(VideoSnapshot).where(
                VideoSnapshot.video_id.in_(videos), VideoSnapshot.day < cutoff
            ),
        )
        removed += _deleted(
            session,
            delete(AccountSnapshot).where(
                AccountSnapshot.account_id.in_(accounts), AccountSnapshot.day < cutoff
            ),
        )
        fresh = select(VideoSnapshot.video_id).where(VideoSnapshot.day >= cutoff)
        removed += _deleted(
            session,
            delete(MetricVideo).where(
                MetricVideo.account_id.in_(accounts),
                MetricVideo.first_seen_at < since,
                MetricVideo.id.not_in(fresh),
            ),
        )
    session.commit()
    return removed


def _deleted(session: Session, statement) -> int:
    return int(session.execute(statement).rowcount or 0)  # type: ignore[attr-defined]
