"""Scheduled deliveries: the platform's limits at scheduling time, reschedule, cancel, lateness.

A scheduled delivery is QUEUED (or AWAITING_APPROVAL) with ``next_attempt_at`` set to its
time, so the sweeper's due query starts it; ``started_at`` records when it was handed to a
worker, and until then staff may move or cancel it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from studio import db
from studio.audit import Action, Actor, record
from studio.db import utcnow
from studio.platforms import limits, registry
from studio.platforms.models import Account, Delivery, DeliveryStatus, Mode
from studio.staff import zones

LATE_AFTER = dt.timedelta(minutes=2)  # the sweeper runs every minute; later than this is late
HORIZON = dt.timedelta(days=366)
PLANNED = (DeliveryStatus.QUEUED, DeliveryStatus.AWAITING_APPROVAL)


class PlanError(Exception):
    """A schedule that cannot be made or changed; the message is for people."""

    def __init__(self, message: str, field: str = "send_at") -> None:
        super().__init__(message)
        self.message, self.field = message, field


@dataclass(frozen=True)
class Plan:
    """When the deliveries go (UTC; None: now) and whether a post waits for approval."""

    at: dt.datetime | None = None
    needs_approval: bool = False


def changeable(delivery: Delivery) -> bool:
    """True while a planned delivery has not been handed to a worker (move or cancel it)."""
    return (
        delivery.started_at is None
        and delivery.remote_id is None
        and delivery.status in PLANNED
        and (delivery.scheduled_at is not None or delivery.status != DeliveryStatus.QUEUED)
    )


def is_due(delivery: Delivery, now: dt.datetime | None = None) -> bool:
    """True when nothing (approval, a later time) keeps the delivery from its worker now."""
    if delivery.is_terminal or delivery.status == DeliveryStatus.AWAITING_APPROVAL:
        return False
    return delivery.scheduled_at is None or delivery.scheduled_at <= (now or utcnow())


def stamp(delivery: Delivery, plan: Plan) -> None:
    """Give a new delivery its plan: its time, and whether it waits for approval."""
    delivery.scheduled_at = delivery.next_attempt_at = plan.at
    if plan.needs_approval:
        delivery.status = DeliveryStatus.AWAITING_APPROVAL
    elif plan.at is None:
        delivery.started_at = utcnow()  # sent now: not changeable from here on


def check_time(at: dt.datetime, now: dt.datetime | None = None) -> None:
    """A schedule is in the future and within a year; raises PlanError."""
    now = now or utcnow()
    if at <= now:
        raise PlanError("Choose a time in the future (or send now).")
    if at > now + HORIZON:
        raise PlanError("Choose a time within the next year.")


def check_limits(
    session: Session,
    user: Any,
    account_id: int,
    mode: Mode,
    at: dt.datetime | None,
    skip: int | None,
) -> None:
    """Refuse a time (None: now) at which the account's platform would exceed one of its
    limits, counting what is already sent or planned; the message says when room frees up."""
    account = session.get(Account, account_id)
    if account is None:
        return  # creating the delivery says the account is gone
    try:
        found = registry.get(account.platform).options.limits(mode)
    except registry.UnknownPlatform:
        return
    for limit in found:
        if at is None and limit.now_waits:
            continue  # the sender holds it until a slot frees
        try:
            limits.check(session, limit, account_id, at or utcnow(), skip)
        except limits.LimitReached as exc:
            raise PlanError(_refusal(exc.breach, zones.zone_of(user))) from exc


def _refusal(breach: limits.Breach, zone: Any) -> str:
    """The limit, what counts against it, and the first time with room, in the person's zone."""

    def local(moment: dt.datetime) -> str:
        return zones.describe(zones.to_local(moment, zone))

    text = f"{breach.limit.reason}; {breach.used} are already sent or planned"
    if breach.times:
        text += f" between {local(breach.times[0])} and {local(breach.times[-1])}"
    if breach.frees_at is not None:
        return f"{text}. There is room again from {local(breach.frees_at)}."
    return f"{text}. Choose a later time."


def _locked(session: Session, delivery_id: int) -> Delivery:
    db.begin_write(session)
    delivery = session.get(
        Delivery, delivery_id, with_for_update={"of": Delivery}, populate_existing=True
    )
    if delivery is None or not changeable(delivery):
        session.rollback()
        raise PlanError("Sending has started (or it is finished); it can no longer be changed.")
    return delivery


def reschedule(session: Session, user: Any, delivery: Delivery, at: dt.datetime) -> Delivery:
    """Move a planned delivery to ``at`` (UTC) after checking the time and the limits."""
    check_time(at)
    check_limits(session, user, delivery.account_id, delivery.mode, at, skip=delivery.id)
    session.commit()
    delivery = _locked(session, delivery.id)
    before = f"{delivery.scheduled_at:%Y-%m-%d %H:%M} UTC" if delivery.scheduled_at else "now"
    delivery.scheduled_at = delivery.next_attempt_at = at
    session.commit()
    record(
        Action.POST_RESCHEDULED,
        actor=Actor.user(user),
        summary=f"post {delivery.post_id}: delivery {delivery.id} moved from {before} to "
        f"{at:%Y-%m-%d %H:%M} UTC",
        account_id=delivery.account_id,
        post_id=delivery.post_id,
    )
    return delivery


def cancel(session: Session, user: Any, delivery: Delivery) -> Delivery:
    """Cancel a planned delivery before sending starts."""
    delivery = _locked(session, delivery.id)
    delivery.status, delivery.finished_at = DeliveryStatus.CANCELLED, utcnow()
    delivery.next_attempt_at = None
    delivery.status_note = "Cancelled before sending."
    session.commit()
    record(
        Action.POST_CANCELLED,
        actor=Actor.user(user),
        summary=f"post {delivery.post_id}: delivery {delivery.id} cancelled before sending",
        account_id=delivery.account_id,
        post_id=delivery.post_id,
    )
    return delivery


def lateness(delivery: Delivery) -> int | None:
    """Minutes a scheduled delivery started after its time, when that was late; else None."""
    if delivery.scheduled_at is None or delivery.started_at is None:
        return None
    late = delivery.started_at - delivery.scheduled_at
    return round(late.total_seconds() / 60) if late > LATE_AFTER else None


def hand_out(session: Session, ids: list[int]) -> None:
    """The sweeper hands these deliveries to workers: mark scheduled ones started (commits).

    Runs in the due query's transaction (its row locks on PostgreSQL); a late start (no
    worker ran at the time) is recorded in the audit log after the commit.
    """
    fresh = (
        session.scalars(
            select(Delivery).where(
                Delivery.id.in_(ids),
                Delivery.started_at.is_(None),
                Delivery.scheduled_at.is_not(None),
            )
        ).all()
        if ids
        else []
    )
    now = utcnow()
    for delivery in fresh:
        delivery.started_at = now
    session.commit()
    for delivery in fresh:
        minutes = lateness(delivery)
        if minutes is not None:
            record(
                Action.POST_LATE,
                actor=Actor.job("sweep_posts"),
                summary=f"post {delivery.post_id}: delivery {delivery.id} scheduled for "
                f"{delivery.scheduled_at:%Y-%m-%d %H:%M} UTC started {minutes} min late "
                "(no worker was running then)",
                account_id=delivery.account_id,
                post_id=delivery.post_id,
            )
