"""Reading the snapshots for the Performance page, its CSV and the dashboard.

Every query is bounded by the chosen date range, so a page costs the same whatever the
length of the history (indexes: video_snapshots (video_id, day) and (day)).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from studio.metrics.models import AccountSnapshot, MetricVideo, VideoSnapshot
from studio.platforms.models import Account, Delivery, Mode

SORTS = ("views", "likes", "comments", "shares", "published")
FIELDS = ("views", "likes", "comments", "shares")


@dataclass
class Row:
    """One video in the table: who, what, and its latest figures within the range."""

    video: MetricVideo
    account: Account
    delivery: Delivery | None
    day: dt.date | None
    figures: dict[str, int | None]
    gained: dict[str, int | None]

    @property
    def origin(self) -> str:
        """Where the video comes from, in words."""
        if self.delivery is None:
            return "published outside the app"
        if self.delivery.mode == Mode.DRAFT and self.account.platform == "tiktok":
            return "posted from the TikTok app (sent as a draft)"
        return "sent from the app"


def account_series(
    session: Session, start: dt.date, end: dt.date
) -> list[tuple[Account, list[tuple[dt.date, int | None]]]]:
    """Followers per day of every account with snapshots in the range."""
    rows = session.execute(
        select(AccountSnapshot.account_id, AccountSnapshot.day, AccountSnapshot.followers)
        .where(AccountSnapshot.day.between(start, end))
        .order_by(AccountSnapshot.account_id, AccountSnapshot.day)
    ).all()
    by_account: dict[int, list[tuple[dt.date, int | None]]] = {}
    for account_id, day, followers in rows:
        by_account.setdefault(account_id, []).append((day, followers))
    accounts = {a.id: a for a in session.scalars(select(Account).where(Account.id.in_(by_account)))}
    return [(accounts[i], points) for i, points in by_account.items()]


def daily_totals(session: Session, start: dt.date, end: dt.date) -> list[tuple[dt.date, dict]]:
    """Views, likes, comments and shares summed over every video, per day."""
    columns = [func.sum(getattr(VideoSnapshot, f)) for f in FIELDS]
    rows = session.execute(
        select(VideoSnapshot.day, *columns)
        .where(VideoSnapshot.day.between(start, end))
        .group_by(VideoSnapshot.day)
        .order_by(VideoSnapshot.day)
    ).all()
    return [(r[0], dict(zip(FIELDS, r[1:], strict=True))) for r in rows]


def table(
    session: Session, start: dt.date, end: dt.date, sort: str = "views", limit: int = 100
) -> list[Row]:
    """Videos with their latest figures in the range and what they gained within it."""
    first = _edge(start, end, func.min)
    last = _edge(start, end, func.max)
    latest = {s.video_id: s for s in session.scalars(select(VideoSnapshot).join(last, _on(last)))}
    earliest = {
        s.video_id: s for s in session.scalars(select(VideoSnapshot).join(first, _on(first)))
    }
    videos = session.scalars(select(MetricVideo).where(MetricVideo.id.in_(latest))).all()
    accounts = {a.id: a for a in session.scalars(select(Account))}
    delivery_ids = [v.delivery_id for v in videos if v.delivery_id]
    deliveries = {
        d.id: d for d in session.scalars(select(Delivery).where(Delivery.id.in_(delivery_ids)))
    }
    rows = []
    for video in videos:
        snap, base = latest[video.id], earliest[video.id]
        figures = {f: getattr(snap, f) for f in FIELDS}
        gained = {f: _gain(getattr(base, f), figures[f]) for f in FIELDS}
        delivery = deliveries.get(video.delivery_id) if video.delivery_id else None
        rows.append(Row(video, accounts[video.account_id], delivery, snap.day, figures, gained))
    rows.sort(key=lambda r: _sort_key(r, sort), reverse=True)
    return rows[:limit]


def _edge(start: dt.date, end: dt.date, pick):
    return (
        select(VideoSnapshot.video_id, pick(VideoSnapshot.day).label("day"))
        .where(VideoSnapshot.day.between(start, end))
        .group_by(VideoSnapshot.video_id)
        .subquery()
    )


def _on(edge):
    return (VideoSnapshot.video_id == edge.c.video_id) & (VideoSnapshot.day == edge.c.day)


def _gain(before: int | None, after: int | None) -> int | None:
    return None if before is None or after is None else after - before


def _sort_key(row: Row, sort: str) -> tuple[int, float]:
    if sort == "published":
        when = row.video.published_at
        return (when is not None, when.timestamp() if when else 0.0)
    value = row.figures.get(sort)
    return (value is not None, float(value or 0))


def post_series(
    session: Session, post_id: int, start: dt.date, end: dt.date
) -> list[tuple[Delivery, MetricVideo, list[VideoSnapshot]]]:
    """Every delivery of a post that has a video, with its snapshots in the range."""
    pairs = session.execute(
        select(Delivery, MetricVideo)
        .join(MetricVideo, MetricVideo.delivery_id == Delivery.id)
        .where(Delivery.post_id == post_id)
        .order_by(Delivery.id, MetricVideo.id)
    ).all()
    out = []
    for delivery, video in pairs:
        snaps = session.scalars(
            select(VideoSnapshot)
            .where(VideoSnapshot.video_id == video.id, VideoSnapshot.day.between(start, end))
            .order_by(VideoSnapshot.day)
        ).all()
        out.append((delivery, video, list(snaps)))
    return out


def week_headlines(session: Session, today: dt.date) -> dict[str, int | None]:
    """The week's gains over every video and account: views, likes, followers."""
    start = today - dt.timedelta(days=7)
    rows = table(session, start, today, limit=100_000)
    out: dict[str, int | None] = {}
    for name in ("views", "likes"):
        gains = [g for r in rows if (g := r.gained[name]) is not None]
        out[name] = sum(gains) if gains else None
    follows = []
    for _account, points in account_series(session, start, today):
        known = [v for _d, v in points if v is not None]
        if len(known) >= 2:
            follows.append(known[-1] - known[0])
    out["followers"] = sum(follows) if follows else None
    return out
