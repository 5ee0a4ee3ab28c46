"""The queue and the calendar: deliveries by planned (or actual) time, in a person's zone."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, selectinload

from studio.platforms.models import TERMINAL, Delivery, DeliveryStatus
from studio.posts.models import Approval, Post
from studio.posts.queries import ACTIVE

PLANNED = {DeliveryStatus.QUEUED, DeliveryStatus.AWAITING_APPROVAL}
QUEUE_LIMIT = 200


def group(delivery: Delivery) -> str:
    """planned, sending, sent, failed or cancelled: the calendar's and queue's colours."""
    if delivery.status in PLANNED and delivery.started_at is None:
        return "planned"
    if delivery.status in (DeliveryStatus.IN_INBOX, DeliveryStatus.PUBLISHED):
        return "sent"
    if delivery.status in (DeliveryStatus.FAILED, DeliveryStatus.CANCELLED):
        return str(delivery.status)
    return "sending"


def when(delivery: Delivery) -> dt.datetime:
    """The time a delivery sits at: its schedule, else when it was sent or made."""
    return delivery.scheduled_at or delivery.sent_at or delivery.created_at


def _options() -> tuple:
    return (selectinload(Delivery.account),)


def queue(session: Session, account_id: int | None = None) -> dict[str, list[Delivery]]:
    """Unfinished deliveries by time (soonest first), and the latest finished ones."""
    mine = [Delivery.account_id == account_id] if account_id else []
    upcoming = session.scalars(
        select(Delivery)
        .where(Delivery.status.in_(ACTIVE), *mine)
        .options(*_options())
        .limit(QUEUE_LIMIT)
    ).all()
    done = session.scalars(
        select(Delivery)
        .where(Delivery.status.in_([s.value for s in TERMINAL]), *mine)
        .order_by(Delivery.id.desc())
        .options(*_options())
        .limit(50)
    ).all()
    return {"upcoming": sorted(upcoming, key=when), "done": list(done)}


def between(
    session: Session, start: dt.datetime, end: dt.datetime, account_id: int | None = None
) -> list[Delivery]:
    """Deliveries whose time falls in [start, end), oldest first."""
    mine = [Delivery.account_id == account_id] if account_id else []
    found = session.scalars(
        select(Delivery)
        .where(
            or_(
                and_(Delivery.scheduled_at >= start, Delivery.scheduled_at < end),
                and_(
                    Delivery.scheduled_at.is_(None),
                    Delivery.created_at >= start - dt.timedelta(days=1),
                    Delivery.created_at < end,
                ),
            ),
            *mine,
        )
        .options(*_options())
    ).all()
    return sorted((d for d in found if start <= when(d) < end), key=when)


@dataclass
class Day:
    """One calendar day in the viewer's zone, with its deliveries."""

    date: dt.date
    in_month: bool = True
    items: list[Delivery] = field(default_factory=list)


def grid(
    session: Session, zone: ZoneInfo, view: str, anchor: dt.date, account_id: int | None = None
) -> tuple[list[list[Day]], dt.date, dt.date]:
    """Weeks (Monday first) of the week or month holding ``anchor``; with the previous and
    next anchors."""
    if view == "month":
        first = anchor.replace(day=1)
        start = first - dt.timedelta(days=first.weekday())
        following = (first + dt.timedelta(days=32)).replace(day=1)
        days = (following - start).days
        span = days + (-days % 7)
        back, forward = (first - dt.timedelta(days=1)).replace(day=1), following
    else:
        start = anchor - dt.timedelta(days=anchor.weekday())
        span, back, forward = 7, start - dt.timedelta(days=7), start + dt.timedelta(days=7)
    dates = [start + dt.timedelta(days=n) for n in range(span)]
    cells = {d: Day(d, view != "month" or d.month == anchor.month) for d in dates}
    lo = dt.datetime.combine(dates[0], dt.time(), zone).astimezone(dt.UTC)
    hi = dt.datetime.combine(dates[-1] + dt.timedelta(days=1), dt.time(), zone).astimezone(dt.UTC)
    for delivery in between(session, lo, hi, account_id):
        day = when(delivery).astimezone(zone).date()
        if day in cells:
            cells[day].items.append(delivery)
    weeks = [[cells[d] for d in dates[i : i + 7]] for i in range(0, len(dates), 7)]
    return weeks, back, forward


def waiting_for_approval(session: Session) -> list[Post]:
    """Posts that wait for an approver, oldest first."""
    return list(
        session.scalars(
            select(Post).where(Post.approval == Approval.PENDING).order_by(Post.id).limit(100)
        )
    )
