"""Reading the snapshots for the Performance page, its CSV and the dashboard.

Every query is bounded by the chosen date range, so a page costs the same whatever the
length of the history: per video the database seeks its first and last day in the range on
the (video_id, day) index; the per-day totals read the range from the (day, figures) index
alone (migration 0022).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session, aliased

from studio.metrics.models import AccountSnapshot, MetricVideo, VideoSnapshot
from studio.platforms import registry
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
        try:
            metrics = registry.get(self.account.platform).metrics
        except registry.UnknownPlatform:
            metrics = None
        if self.delivery.mode == Mode.DRAFT and metrics is not None:
            return metrics.draft_origin  # e.g. "posted from the TikTok app (sent as a draft)"
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
    return [(r[0], dict(zip(FIELDS, map(_whole, r[1:]), strict=True))) for r in rows]


def _whole(total: object) -> int | None:
    """A sum as an int (PostgreSQL sums bigints as numeric); None stays None."""
    return None if total is None else int(str(total))


def table(
    session: Session,
    start: dt.date,
    end: dt.date,
    sort: str = "views",
    limit: int = 100,
    offset: int = 0,
) -> list[Row]:
    """One page of videos with their latest figures in the range and their gain within it.

    The database sorts and cuts the page: per video, one index seek on (video_id, day) for
    its latest figure, so the cost follows the number of videos, not the days of history.
    """
    by = MetricVideo.published_at if sort == "published" else _latest(sort, start, end)
    key = by.label("key")
    page = (
        select(MetricVideo.id, key)
        .where(_has_figures(start, end))
        .order_by(key.desc().nulls_last(), MetricVideo.id.desc())
        .limit(limit)
        .offset(offset)
        .subquery()
    )
    last, first = aliased(VideoSnapshot), aliased(VideoSnapshot)
    found = session.execute(
        select(
            MetricVideo,
            Account,
            Delivery,
            last.day,
            *(getattr(last, f) for f in FIELDS),
            *(getattr(last, f) - getattr(first, f) for f in FIELDS),
        )
        .join(page, page.c.id == MetricVideo.id)
        .join(Account, Account.id == MetricVideo.account_id)
        .outerjoin(Delivery, Delivery.id == MetricVideo.delivery_id)
        .join(last, _at(last, func.max, start, end))
        .join(first, _at(first, func.min, start, end))
        .order_by(page.c.key.desc().nulls_last(), MetricVideo.id.desc())
    ).all()
    n = len(FIELDS)
    return [
        Row(
            video,
            account,
            delivery,
            day,
            dict(zip(FIELDS, values[:n], strict=True)),
            dict(zip(FIELDS, values[n:], strict=True)),
        )
        for video, account, delivery, day, *values in found
    ]


def _has_figures(start: dt.date, end: dt.date):
    """True for a video (MetricVideo in the outer query) with a snapshot in the range."""
    return exists().where(VideoSnapshot.video_id == MetricVideo.id, _within(start, end))


def _latest(name: str, start: dt.date, end: dt.date):
    """The video's (MetricVideo in the outer query) figure `name` on its last day in range."""
    return (
        select(getattr(VideoSnapshot, name))
        .where(VideoSnapshot.video_id == MetricVideo.id, _within(start, end))
        .order_by(VideoSnapshot.day.desc())
        .limit(1)
        .scalar_subquery()
    )


def _at(snapshot, pick, start: dt.date, end: dt.date):
    """Join condition: `snapshot` is the video's row on its first/last (`pick`) day in range."""
    inner = aliased(VideoSnapshot)
    day = (
        select(pick(inner.day))
        .where(inner.video_id == MetricVideo.id, inner.day.between(start, end))
        .scalar_subquery()
    )
    return (snapshot.video_id == MetricVideo.id) & (snapshot.day == day)


def _within(start: dt.date, end: dt.date):
    return VideoSnapshot.day.between(start, end)


def gains(session: Session, start: dt.date, end: dt.date) -> dict[str, int | None]:
    """What every video together gained within the range, per figure (None: unknown)."""
    last, first = aliased(VideoSnapshot), aliased(VideoSnapshot)
    sums = session.execute(
        select(*(func.sum(getattr(last, f) - getattr(first, f)) for f in FIELDS))
        .select_from(MetricVideo)
        .join(last, _at(last, func.max, start, end))
        .join(first, _at(first, func.min, start, end))
    ).one()
    return {f: _whole(v) for f, v in zip(FIELDS, sums, strict=True)}


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
    gained = gains(session, start, today)
    out: dict[str, int | None] = {"views": gained["views"], "likes": gained["likes"]}
    follows = []
    for _account, points in account_series(session, start, today):
        known = [v for _d, v in points if v is not None]
        if len(known) >= 2:
            follows.append(known[-1] - known[0])
    out["followers"] = sum(follows) if follows else None
    return out
