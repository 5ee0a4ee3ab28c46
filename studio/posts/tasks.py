"""Huey tasks: send a post, sweep stuck or due posts, delete sent videos after retention."""

from __future__ import annotations

import datetime as dt
import logging

from flask import current_app
from huey import crontab
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, OperationalError

from studio import db, jobs
from studio.audit import Action, Actor, record, scope
from studio.db import utcnow
from studio.jobs import periodic_task, task
from studio.posts import lease, services
from studio.posts.lease import Heartbeat, LeaseLost
from studio.posts.models import TERMINAL, Post, PostStatus
from studio.posts.outcomes import Deferred
from studio.posts.sender import Sender
from studio.videos import services as videos
from studio.videos.models import Video

log = logging.getLogger(__name__)


@task()
def send_post(post_id: int) -> str:
    """Move one post forward from its recorded state (safe to run twice or after a crash)."""
    return run(post_id)


def run(post_id: int) -> str:
    """Claim the post's lease and drive it; returns what happened, for logs and tests."""
    session = db.session
    owner = lease.worker_id()
    seconds = float(current_app.config["POSTS_LEASE_SECONDS"])
    if not lease.claim(session, post_id, owner, seconds):
        return "skipped"  # finished, or another worker holds a live lease
    post = session.get(Post, post_id)
    if post is None:
        return "gone"
    app = jobs.current()
    outcome = "done"
    with (
        scope(
            actor=Actor.job("send_post"), account_id=post.account_id, post_id=post.id, job_id=owner
        ),
        Heartbeat(app, post_id, owner, seconds) as heartbeat,
    ):
        try:
            Sender(session, post, heartbeat).drive()
        except Deferred as wait:
            session.rollback()
            defer(post, wait.seconds, wait.status, wait.note)
            outcome = "deferred"
        except LeaseLost:
            session.rollback()
            return "lease lost"
        except Exception as exc:
            session.rollback()
            if database_unavailable(exc):
                # A restart or failover, not a bug: try again soon (one attempt spent). If
                # recording that fails too, the lease runs out and the sweeper takes over.
                log.warning("post %s: database unavailable (%s); retrying soon", post_id, exc)
                retry = float(current_app.config["POSTS_RETRY_BASE"])
                unexpected(post, retry, "The database was unavailable for a moment; retrying.")
            else:
                log.exception("post %s: unexpected failure", post_id)
                unexpected(post)
            outcome = "error"
    lease.release(session, post_id, owner)
    return outcome


def database_unavailable(exc: BaseException | None) -> bool:
    """True for a lost, refused or busy database connection (as opposed to a bug).

    The cause chain counts too: the audit recorder fails closed with its own error raised
    from the database's.
    """
    while exc is not None:
        if isinstance(exc, OperationalError):
            return True
        if isinstance(exc, DBAPIError) and exc.connection_invalidated:
            return True
        exc = exc.__cause__
    return False


def unexpected(
    post: Post, seconds: float = 60.0, note: str = "An unexpected error; retrying in a minute."
) -> None:
    """A bug or a broken environment: retry a few times `seconds` apart, then fail visibly."""
    session = db.session
    session.refresh(post)
    post.attempts += 1
    if post.attempts > int(current_app.config["POSTS_MAX_ATTEMPTS"]):
        post.status, post.fail_reason, post.retryable = PostStatus.FAILED, "unexpected", True
        post.fail_message = "An unexpected error stopped the upload; it was logged. Try again."
        post.finished_at, post.next_attempt_at = utcnow(), None
        session.commit()
        return
    session.commit()
    defer(post, seconds, PostStatus.WAITING_RETRY, note)


def defer(post: Post, seconds: float, status: PostStatus | None, note: str) -> None:
    """Record when to continue and schedule it (the sweeper is the backstop)."""
    session = db.session
    session.refresh(post)
    if post.is_terminal:
        return
    post.next_attempt_at = utcnow() + dt.timedelta(seconds=seconds)
    if status is not None:
        post.status = status
    if note and post.status in (PostStatus.WAITING_RETRY, PostStatus.HELD):
        post.status_note = note[:300]
    session.commit()
    jobs.enqueue("send_post", post.id, delay=seconds)


@periodic_task(crontab(minute="*"))
def sweep_posts() -> int:
    """Re-enqueue posts whose lease expired or whose wait is over."""
    return sweep()


def sweep() -> int:
    """Enqueue every due post; returns how many (duplicates are harmless: the lease decides)."""
    ids = services.due_posts(db.session)
    for post_id in ids:
        send_post(post_id)
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
    success = [PostStatus.IN_INBOX.value, PostStatus.PUBLISHED.value]
    unfinished = select(Post.video_id).where(Post.status.not_in([s.value for s in TERMINAL]))
    recent = select(Post.video_id).where(Post.status.in_(success), Post.finished_at > cutoff)
    candidates = session.scalars(
        select(Video)
        .join(Post, Post.video_id == Video.id)
        .where(
            Video.file_deleted_at.is_(None),
            Post.status.in_(success),
            Post.finished_at <= cutoff,
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
