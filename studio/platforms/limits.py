"""Publishing limits checked when a delivery is planned: what a platform lets one account (or
the whole project) publish in a window, counted over what is already sent or planned.

Each platform's options part names its limits (`Options.limits`); posts check them all the
same way through `check`. The senders still respect the limits when they send (a platform
may count what was published outside this app).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from studio.db import utcnow
from studio.platforms.models import Delivery, DeliveryStatus, Mode

DAY = dt.timedelta(hours=24)
CANDIDATES = 400  # later times tried when looking for the next one with room
GONE = (DeliveryStatus.FAILED.value, DeliveryStatus.CANCELLED.value)


@dataclass(frozen=True)
class Limit:
    """At most `count` deliveries in one window; `reason` says so in words."""

    count: int
    reason: str  # "Facebook lets one Page publish 30 Reels through apps in any 24 h"
    platform: str  # deliveries of this platform count
    per_account: bool = True  # False: every account of the platform shares it (a project quota)
    mode: Mode | None = None  # only deliveries of this mode count (None: every mode)
    # Sent deliveries count only while in these statuses (None: unless they failed).
    sent_statuses: frozenset[DeliveryStatus] | None = None
    resets_in: ZoneInfo | None = None  # None: any 24 hours (rolling); else the day in this zone
    # The platform's own count of what was spent in the window holding a time (a project's
    # quota counter), when it knows more than the deliveries say; None: the deliveries only.
    spent: Callable[[Session, dt.datetime], int] | None = None
    # True: a send-now over the limit waits (HELD by the sender) instead of being refused,
    # because a slot may free before any window ends (a creator posting a pending draft).
    now_waits: bool = False


@dataclass(frozen=True)
class Breach:
    """A time at which a limit would be exceeded: what counts there, and when room frees up."""

    limit: Limit
    used: int  # what already counts in the fullest window holding that time
    times: list[dt.datetime] = field(default_factory=list)  # those the app planned or sent
    frees_at: dt.datetime | None = None  # the first later time with room (None: none found)


class LimitReached(Exception):
    """A delivery planned at that time would break a platform limit."""

    def __init__(self, breach: Breach) -> None:
        super().__init__(breach.limit.reason)
        self.breach = breach


def check(
    session: Session, limit: Limit, account_id: int, at: dt.datetime, skip: int | None = None
) -> None:
    """Raise LimitReached when one more delivery at ``at`` would exceed ``limit``."""
    sent, planned = _times(session, limit, account_id, at, skip)
    full = _breach(session, limit, sent, planned, at)
    if full is None:
        return
    used, times = full
    frees_at = next(
        (
            c
            for c in _candidates(limit, sent + planned, at)
            if not _breach(session, limit, sent, planned, c)
        ),
        None,
    )
    raise LimitReached(Breach(limit, used, times, frees_at))


def _times(
    session: Session, limit: Limit, account_id: int, at: dt.datetime, skip: int | None
) -> tuple[list[dt.datetime], list[dt.datetime]]:
    """When each counted delivery went (sent) and will go (planned), from a day before ``at``."""
    low, now = at - 2 * DAY, utcnow()  # two days: a calendar day may start before at - 24 h
    whose = (
        Delivery.account_id == account_id
        if limit.per_account
        else Delivery.platform == limit.platform
    )
    kind = [Delivery.mode == limit.mode] if limit.mode is not None else []
    counted = (
        Delivery.status.in_([s.value for s in limit.sent_statuses])
        if limit.sent_statuses is not None
        else Delivery.status != DeliveryStatus.FAILED
    )
    sent = session.scalars(
        select(Delivery.sent_at).where(whose, *kind, Delivery.sent_at > low, counted)
    )
    rows = session.execute(
        select(Delivery.scheduled_at, Delivery.created_at).where(
            whose,
            *kind,
            Delivery.sent_at.is_(None),
            Delivery.status.not_in(GONE),
            Delivery.id != (skip or 0),
        )
    )
    planned = [scheduled or max(created, now) for scheduled, created in rows]
    return [t for t in sent if t is not None], [t for t in planned if t > low]


def _window(limit: Limit, start: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The calendar day (in the limit's zone) holding ``start``, in UTC."""
    assert limit.resets_in is not None
    day = start.astimezone(limit.resets_in).date()
    begin = dt.datetime.combine(day, dt.time(0), tzinfo=limit.resets_in)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=limit.resets_in)
    return begin.astimezone(dt.UTC), end.astimezone(dt.UTC)


def _windows(limit: Limit, times: list[dt.datetime], at: dt.datetime):
    """Every window that would hold a delivery at ``at``: (start, end)."""
    if limit.resets_in is not None:
        yield _window(limit, at)
        return
    for start in sorted({t for t in times if at - DAY < t <= at} | {at}):
        yield start, start + DAY


def _breach(
    session: Session,
    limit: Limit,
    sent: list[dt.datetime],
    planned: list[dt.datetime],
    at: dt.datetime,
) -> tuple[int, list[dt.datetime]] | None:
    """(what counts, the app's times) in the fullest window over the limit at ``at``; else None."""
    for start, end in _windows(limit, sent + planned, at):
        went = sorted(t for t in sent if start <= t < end)
        will = sorted(t for t in planned if start <= t < end)
        spent = limit.spent(session, start) if limit.spent is not None else 0
        used = max(len(went), spent) + len(will)
        if used + 1 > limit.count:
            return used, sorted(went + will)
    return None


def _candidates(limit: Limit, times: list[dt.datetime], at: dt.datetime):
    """Later times at which room may free up, earliest first."""
    if limit.resets_in is not None:
        start = at
        for _ in range(CANDIDATES):
            start = _window(limit, start)[1]
            yield start
        return
    yield from sorted({t + DAY for t in times if t + DAY > at})[:CANDIDATES]
