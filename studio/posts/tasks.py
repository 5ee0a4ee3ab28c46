"""Huey tasks: send a delivery, sweep stuck or due ones, delete sent videos after retention."""

from __future__ import annotations

import datetime as dt
import logging

from flask import current_app
from huey import crontab
from sqlalchemy import select

from studio import db, jobs
from studio.audit import Action, Actor, record, scope
from studio.db import begin_write, database_unavailable, utcnow
from studio.jobs import periodic_task, task
from studio.platforms import lease, registry
from studio.platforms.lease import Heartbeat, LeaseLost
from studio.platforms.models import TERMINAL, Delivery, DeliveryStatus
from studio.platforms.sending import Deferred
from studio.posts import services
from studio.posts.models import Post
from studio.posts.parcels import parcel
from studio.videos import services as videos
from studio.videos.models import Video

log = logging.getLogger(__name__)


@task()
def send_delivery(delivery_id: int) -> str:
    """Move one delivery forward from its recorded state (safe to run twice or after a crash)."""
    return run(delivery_id)


def run(delivery_id: int) -> str:
    """Claim the delivery's lease and drive it; returns what happened, for logs and tests."""
    session = db.session
    owner = lease.worker_id()
    seconds = float(current_app.config["POSTS_LEASE_SECONDS"])
    if not lease.claim(session, delivery_id, owner, seconds):
        return "skipped"  # finished, or another worker holds a live lease
    delivery = session.get(Delivery, delivery_id)
    post = session.get(Post, delivery.post_id) if delivery is not None else None
    if delivery is None or post is None:
        return "gone"
    app = jobs.current()
    outcome = "done"
    with (
        scope(
            actor=Actor.job("send_delivery"),
            account_id=delivery.account_id,
            post_id=post.id,
            job_id=owner,
        ),
        Heartbeat(app, delivery_id, owner, seconds) as heartbeat,
    ):
        try:
            sender = registry.get(delivery.platform).sender
            if sender is None:
                raise registry.UnknownPlatform(f"{delivery.platform} cannot publish")
            sender(session, delivery, parcel(post, delivery), heartbeat).drive()
        except Deferred as wait:
            session.rollback()
            defer(delivery, wait.seconds, wait.status, wait.note)
            outcome = "deferred"
        except LeaseLost:
            session.rollback()
            return "lease lost"
        except Exception as exc:
            session.rollback()
            if database_unavailable(exc):
                # A restart or failover, not a bug: try again soon (one attempt spent). If
                # recording that fails too, the lease runs out and the sweeper takes over.
                log.warning(
                    "delivery %s: database unavailable (%s); retrying soon", delivery_id, exc
                )
                retry = float(current_app.config["POSTS_RETRY_BASE"])
                unexpected(delivery, retry, "The database was unavailable for a moment; retrying.")
            else:
                log.exception("delivery %s: unexpected failure", delivery_id)
                unexpected(delivery)
            outcome = "error"
    lease.release(session, delivery_id, owner)
    return outcome


def unexpected(
    delivery: Delivery,
    seconds: float = 60.0,
    note: str = "An unexpected error; retrying in a minute.",
) -> None:
    """A bug or a broken environment: retry a few times `seconds` apart, then fail visibly."""
    session = db.session
    begin_write(session)  # the heartbeat commits meanwhile: read under the write lock
    session.refresh(delivery)
    delivery.attempts += 1
    if delivery.attempts > int(current_app.config["POSTS_MAX_ATTEMPTS"]):
        delivery.status, delivery.fail_reason = DeliveryStatus.FAILED, "unexpected"
        delivery.retryable = True
        delivery.fail_message = "An unexpected error stopped the upload; it was logged. Try again."
        delivery.finished_at, delivery.next_attempt_at = utcnow(), None
        session.commit()
        return
    session.commit()
    defer(delivery, seconds, DeliveryStatus.WAITING_RETRY, note)


def defer(delivery: Delivery, seconds: float, status: DeliveryStatus | None, note: str) -> None:
    """Record when to continue and schedule it (the sweeper is the backstop)."""
    session = db.session
    begin_write(session)  # the heartbeat commits meanwhile: read under the write lock
    session.refresh(delivery)
    if delivery.is_terminal:
        return
    delivery.next_attempt_at = utcnow() + dt.timedelta(seconds=seconds)
    if status is not None:
        delivery.status = status
    if note and delivery.status in (DeliveryStatus.WAITING_RETRY, DeliveryStatus.HELD):
        delivery.status_note = note[:300]
    session.commit()
    jobs.enqueue("send_delivery", delivery.id, delay=seconds)


@periodic_task(crontab(minute="*"))
def sweep_posts() -> int:
    """Re-enqueue deliveries whose lease expired or whose wait is over."""
    return sweep()


@task()
def sweep_due() -> int:
    """The sweep, at a scheduled delivery's time (``services.wake`` queued it)."""
    return sweep()


def sweep() -> int:
    """Enqueue every due delivery; returns how many (duplicates are harmless: the lease
    decides)."""
    ids = services.due_deliveries(db.session)
    for delivery_id in ids:
        send_delivery(delivery_id)
    return len(ids)


@periodic_task(crontab(minute="17"))
def purge_sent_videos() -> int:
    """Delete local video files VIDEO_RETENTION_DAYS after their last successful send."""
    return purge()


def purge(now: dt.datetime | None = None) -> int:
    """The retention pass (metadata stays; only the file goes)."""
    session = db.session
    days = float(current_app.config["VIDEO_RETENTION_DAYS"])
    cutoff = (now or utcnow()) - dt.timedelta(days=days)
    success = [DeliveryStatus.IN_INBOX.value, DeliveryStatus.PUBLISHED.value]
    sent = select(Post.video_id).join(Delivery, Delivery.post_id == Post.id)
    unfinished = sent.where(Delivery.status.not_in([s.value for s in TERMINAL]))
    recent = sent.where(Delivery.status.in_(success), Delivery.finished_at > cutoff)
    candidates = session.scalars(
        select(Video)
        .join(Post, Post.video_id == Video.id)
        .join(Delivery, Delivery.post_id == Post.id)
        .where(
            Video.file_deleted_at.is_(None),
            Delivery.status.in_(success),
            Delivery.finished_at <= cutoff,
            Video.id.not_in(unfinished),
            Video.id.not_in(recent),
        )
        .distinct()
    ).all()
    for video in candidates:
        videos.delete_file(session, video, "retention")
    if candidates:
        record(
            Action.RETENTION_PURGED,
            actor=Actor.job("purge_sent_videos"),
            summary=f"deleted {len(candidates)} sent video file(s) after {days:g} days",
        )
    return len(candidates)
