"""One snapshot round: every connected account's figures and its videos', stored per day.

Each platform's metrics part collects (`Platform.metrics` in the registry); this room decides
whom to read, within which allowance, and stores lifetime totals per UTC day. A round is
idempotent: an account read completely today is not read again, and a repeated reading of
the same day updates that day's row (a figure never turns from a number into "not available").
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from studio import db
from studio.db import utcnow
from studio.metrics import demo
from studio.metrics.models import AccountSnapshot, MetricRound, MetricVideo, VideoSnapshot
from studio.platforms import registry
from studio.platforms.figures import Harvest, Metrics, MetricsUnavailable
from studio.platforms.models import Account, AccountStatus, Delivery

log = logging.getLogger(__name__)
VIDEO_FIELDS = ("views", "likes", "comments", "shares", "saves", "reach")
ACCOUNT_FIELDS = ("followers", "following", "likes", "videos")


@dataclass
class RoundReport:
    """What a round did: accounts read, skipped and why, calls made."""

    day: dt.date
    read: int = 0
    calls: int = 0
    videos: int = 0
    skipped: dict[int, str] = field(default_factory=dict)


def run_round(session: Session, day: dt.date | None = None, *, force: bool = False) -> RoundReport:
    """Snapshot every connected account of every platform with a metrics part."""
    report = RoundReport(day or utcnow().date())
    spent: dict[str, int] = {}
    stopped: dict[str, str] = {}
    readers = {platform.name: metrics for platform, metrics in registry.with_metrics()}
    for account_id in _accounts(session, list(readers)):
        account = session.get_one(Account, account_id)
        platform = account.platform
        budget = readers[platform].allowance  # Facebook and Instagram share Meta's
        if budget in stopped:
            _finish(session, report, account_id, 0, stopped[budget])
        elif not force and _done(session, account_id, report.day):
            report.skipped[account_id] = "already read today"
        elif _sending(session, account_id):
            report.skipped[account_id] = "a video is being sent: publishing goes first"
        else:
            harvest = _read(session, account, readers[platform], report, spent)
            if harvest is not None and harvest.exhausted:
                stopped[budget] = harvest.note or "quota used up"
    session.commit()
    return report


def _accounts(session: Session, platforms: list[str]) -> list[int]:
    query = select(Account.id).where(
        Account.status == AccountStatus.CONNECTED,
        Account.platform.in_(platforms),
        Account.data_key.is_not(None),
    )
    return list(session.scalars(query.order_by(Account.id)))


def _done(session: Session, account_id: int, day: dt.date) -> bool:
    last = session.get(MetricRound, account_id)
    return last is not None and last.ran_at.date() == day and last.note is None


def _sending(session: Session, account_id: int) -> bool:
    """True while one of the account's deliveries holds a send lease (publishing wins)."""
    query = select(Delivery.id).where(
        Delivery.account_id == account_id, Delivery.lease_until > utcnow()
    )
    return session.scalar(query.limit(1)) is not None


def _read(
    session: Session,
    account: Account,
    collector: Metrics,
    report: RoundReport,
    spent: dict[str, int],
) -> Harvest | None:
    allowance = int(current_app.config[collector.allowance])
    allowance -= spent.get(account.platform, 0) if collector.shared else 0
    known = _known_ids(session, account, collector)
    session.commit()  # no transaction stays open across the platform's calls
    try:
        harvest: Harvest = collector.collect(session, account, list(known), allowance)
    except MetricsUnavailable as exc:
        _finish(session, report, account.id, 0, exc.reason)
        return None
    spent[account.platform] = spent.get(account.platform, 0) + max(harvest.units, harvest.calls)
    _store(session, account.id, report.day, harvest, known)
    demo.backfill(session, account.id, report.day, int(current_app.config["METRICS_DEMO_DAYS"]))
    report.read += 1
    report.videos += len(harvest.videos)
    _finish(session, report, account.id, harvest.calls, harvest.note)
    return harvest


def _known_ids(session: Session, account: Account, collector: Metrics) -> dict[str, int | None]:
    """Remote video id → delivery id, for our deliveries and the videos seen before."""
    known: dict[str, int | None] = dict(
        session.execute(
            select(MetricVideo.remote_id, MetricVideo.delivery_id).where(
                MetricVideo.account_id == account.id
            )
        ).all()
    )
    deliveries = session.scalars(
        select(Delivery).where(Delivery.account_id == account.id).order_by(Delivery.id)
    )
    for delivery in deliveries:
        for remote_id in collector.video_ids(delivery):
            known[remote_id] = delivery.id
    return known


def _store(
    session: Session, account_id: int, day: dt.date, harvest: Harvest, known: dict[str, int | None]
) -> None:
    db.begin_write(session)
    if harvest.account is not None:
        row = session.scalar(
            select(AccountSnapshot).where(
                AccountSnapshot.account_id == account_id, AccountSnapshot.day == day
            )
        ) or AccountSnapshot(account_id=account_id, day=day)
        _fill(row, harvest.account, ACCOUNT_FIELDS)
        session.add(row)
    videos = {
        v.remote_id: v
        for v in session.scalars(select(MetricVideo).where(MetricVideo.account_id == account_id))
    }
    for figures in harvest.videos:
        video = videos.get(figures.remote_id)
        if video is None:
            video = MetricVideo(account_id=account_id, remote_id=figures.remote_id)
            session.add(video)
            videos[figures.remote_id] = video
        video.delivery_id = known.get(figures.remote_id, video.delivery_id)
        video.title = figures.title or video.title
        video.published_at = figures.published_at or video.published_at
    session.flush()
    today = {
        s.video_id: s
        for s in session.scalars(
            select(VideoSnapshot)
            .join(MetricVideo)
            .where(MetricVideo.account_id == account_id, VideoSnapshot.day == day)
        )
    }
    for figures in harvest.videos:
        video_id = videos[figures.remote_id].id
        snap = today.get(video_id) or VideoSnapshot(video_id=video_id, day=day)
        _fill(snap, figures, VIDEO_FIELDS)
        session.add(snap)
    session.commit()


def _fill(row: object, source: object, names: tuple[str, ...]) -> None:
    """Copy the figures the platform gave; a missing one keeps what the day already had."""
    for name in names:
        value = getattr(source, name)
        if value is not None:
            setattr(row, name, value)


def _finish(
    session: Session, report: RoundReport, account_id: int, calls: int, note: str | None
) -> None:
    db.begin_write(session)
    row = session.get(MetricRound, account_id) or MetricRound(account_id=account_id)
    row.ran_at, row.calls, row.note = utcnow(), calls, note
    session.add(row)
    session.commit()
    report.calls += calls
    if note:
        report.skipped[account_id] = note
        log.info("metrics of account %s: %s", account_id, note)
