"""Posts: prepare, consent and create with deliveries, list, retry, status, events, counts."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from studio import db, jobs
from studio.audit import Action, Actor, record
from studio.audit import services as audit
from studio.db import utcnow
from studio.platforms.models import Account, Delivery, DeliveryStatus, Mode, Source
from studio.posts import approval, captions, planning
from studio.posts.events import apply_publish_event, wake_held
from studio.posts.models import Approval, Post
from studio.posts.planning import Plan, PlanError
from studio.posts.queries import (
    counts,
    due_deliveries,
    get_account,
    get_delivery,
    get_post,
    get_video_or_none,
    list_posts,
    video_busy_reason,
)
from studio.posts.schedule import approval_required
from studio.videos.models import Video

__all__ = [  # re-exported: other rooms and the views use services as the room's front door
    "apply_publish_event",
    "counts",
    "due_deliveries",
    "get_account",
    "get_delivery",
    "get_post",
    "get_video_or_none",
    "list_posts",
    "video_busy_reason",
    "wake_held",
]
log = logging.getLogger(__name__)


class PostError(Exception):
    """A post cannot be created or changed; the message is for people."""

    def __init__(self, message: str, field_errors: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field_errors = field_errors or {}


@dataclass
class Draft:
    """What the staff member prepared once, and whether they consented.

    ``account_id`` and ``mode`` make the one delivery of a post created without targets
    (builders and benches); the pages pass each target's delivery to ``create_post``.
    """

    video_id: int
    account_id: int = 0
    mode: Mode = Mode.DRAFT
    caption: str = ""
    hashtags_raw: str = ""
    product_name: str = ""
    product_sku: str = ""
    is_aigc: bool = False
    consent: bool = False
    hashtags: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.caption = self.caption.replace("\r\n", "\n")  # browsers send CRLF line ends
        self.is_aigc = self.is_aigc or ai_label_forced()
        self.hashtags = captions.normalise_hashtags(self.hashtags_raw, self.caption)

    @property
    def title(self) -> str:
        """Caption plus hashtags, as the platforms will show them."""
        return captions.compose_title(self.caption, self.hashtags)


Planned = tuple[int, Mode, dict[str, Any] | None]  # (account id, mode, the platform's options)


def ai_label_forced() -> bool:
    """OPERATOR_AI_CONTENT ("our videos are AI-generated"): every post carries the AI label."""
    return has_app_context() and bool(current_app.config["OPERATOR_AI_CONTENT"])


def check_video(session: Session, video_id: int) -> Video:
    """The video exists and its file is here; raises PostError otherwise."""
    video = session.get(Video, video_id)
    if video is None:
        raise PostError("That video does not exist.", {"video_id": "Unknown video."})
    if not video.has_file:
        raise PostError("The video file was deleted from this server; upload it again.")
    return video


def check_caption(draft: Draft) -> None:
    """The caption limit (UTF-16 code units) on caption plus hashtags."""
    problem = captions.title_problem(draft.title)
    if problem:
        raise PostError(problem, {"caption": problem})


def create_post(
    session: Session,
    user: Any,
    draft: Draft,
    key: str,
    planned: list[Planned] | None = None,
    consent_text: str = "",
    plan: Plan | None = None,
) -> tuple[Post, bool]:
    """Create the post and one delivery per target once per form nonce; (post, created).

    Nothing is sent here (``enqueue_post`` hands due deliveries to the send job); ``plan``
    says when (default now) and whether it waits for approval (default APPROVAL_REQUIRED).
    """
    existing = session.scalar(select(Post).where(Post.idempotency_key == key))
    if existing is not None:
        return existing, False
    if not draft.consent:
        raise PostError("Tick the consent box to send.", {"consent": "Consent is required."})
    video = check_video(session, draft.video_id)
    check_caption(draft)
    planned = planned or [(draft.account_id, draft.mode, None)]
    plan = plan or Plan(None, approval_required())
    for account_id, mode, _options in planned:  # a send-now counts at once
        try:
            planning.check_limits(session, user, account_id, mode, plan.at, None)
        except PlanError as exc:
            raise PostError(exc.message, {exc.field: exc.message}) from exc
    deliveries = [_delivery(session, video, *one) for one in planned]
    for delivery in deliveries:
        planning.stamp(delivery, plan)
    post = Post(
        idempotency_key=key,
        video_id=video.id,
        created_by_id=user.id,
        caption=draft.caption.strip(),
        hashtags=draft.hashtags,
        product_name=draft.product_name.strip(),
        product_sku=draft.product_sku.strip(),
        is_aigc=draft.is_aigc,
        consent_text=consent_text,
        approval=Approval.PENDING if plan.needs_approval else Approval.NONE,
        deliveries=deliveries,
    )
    session.add(post)
    try:
        session.commit()
    except IntegrityError:  # the same nonce submitted twice at once: the other one won
        session.rollback()
        existing = session.scalar(select(Post).where(Post.idempotency_key == key))
        if existing is None:
            raise
        return existing, False
    for delivery in deliveries:
        record(
            Action.POST_SENT,
            actor=Actor.user(user),
            summary=f"post {post.id}: {delivery.mode} of video {video.id} to account "
            f"{delivery.account_id}",
            payload={
                "consent": consent_text,
                "mode": str(delivery.mode),
                "post_info": delivery.options,
            },
            account_id=delivery.account_id,
            post_id=post.id,
        )
    approval.announce_plan(post, user, plan)
    return post, True


def _delivery(
    session: Session, video: Video, account_id: int, mode: Mode, options: dict[str, Any] | None
) -> Delivery:
    account = session.get(Account, account_id)
    if account is None or not account.is_usable:
        raise PostError(
            "That account is not connected.", {"account_id": "Choose a connected account."}
        )
    return Delivery(
        account_id=account.id,
        platform=account.platform,
        mode=mode,
        source=media_source(),
        options=options,
        video_size=video.size_bytes,
        status=DeliveryStatus.QUEUED,
    )


def media_source() -> Source:
    """PULL_FROM_URL when a verified public media base is configured, else FILE_UPLOAD."""
    return (
        Source.PULL_FROM_URL if current_app.config.get("PUBLIC_MEDIA_BASE") else Source.FILE_UPLOAD
    )


# The platform ended the send itself (TikTok's status, YouTube's uploadStatus): a retry
# sends the video again instead of asking about the old one.
FAILED_REMOTELY = frozenset({"FAILED", "failed", "rejected", "deleted", "missing"})


def enqueue(delivery_id: int) -> None:
    """Hand one delivery to the send job (the sweeper re-enqueues it should this be lost)."""
    jobs.enqueue("send_delivery", delivery_id)


def enqueue_post(post: Post) -> None:
    """Hand every delivery of the post that is due now to the send job, and wake the sweeper
    at the time of each scheduled one."""
    for delivery in post.deliveries:
        if planning.is_due(delivery):
            enqueue(delivery.id)
        else:
            wake(delivery)


def wake(delivery: Delivery) -> None:
    """Run the sweep at the delivery's scheduled time, so it starts within seconds of it; one
    waiting for approval is left alone (approving the post hands it on).

    The queue keeps the timer across restarts; the sweep every minute is the backstop (a lost
    timer, workers down at the time), and a stale one (the delivery moved or was cancelled)
    sweeps nothing: the due query and the lease decide.
    """
    at = delivery.scheduled_at
    if at is not None and delivery.status != DeliveryStatus.AWAITING_APPROVAL:
        jobs.enqueue("sweep_due", delay=max(0.0, (at - utcnow()).total_seconds()))


def may_retry(post: Post, delivery: Delivery, user: Any) -> bool:
    """Admins and the post's creator may retry a retryable failure or a waiting delivery."""
    if not (user.is_admin or post.created_by_id == user.id):
        return False
    if delivery.status == DeliveryStatus.FAILED:
        return delivery.retryable
    return delivery.status in (DeliveryStatus.HELD, DeliveryStatus.WAITING_RETRY)


def retry(session: Session, post: Post, delivery: Delivery, user: Any) -> Delivery:
    """Try again: a delivery the platform failed starts afresh; else continue from remote_id."""
    db.begin_write(session)
    session.refresh(delivery, with_for_update={"of": Delivery})
    if not may_retry(post, delivery, user):
        session.rollback()
        raise PostError("This post cannot be retried now.")
    if delivery.status == DeliveryStatus.FAILED and not delivery.account.is_usable:
        session.rollback()
        raise PostError(f"Reconnect the {delivery.platform_name} account first, then retry.")
    fresh = delivery.remote_id is None or delivery.remote_status in FAILED_REMOTELY
    delivery.status = DeliveryStatus.QUEUED
    delivery.attempts = 0
    delivery.polls = 0
    delivery.next_attempt_at = None
    delivery.fail_reason = delivery.fail_message = None
    delivery.retryable = False
    delivery.finished_at = None
    delivery.status_note = "Retry requested."
    if fresh:
        delivery.remote_id = None
        delivery.remote_url = None
        delivery.transfer_url_enc = None
        delivery.remote_status = None
        delivery.next_chunk = delivery.bytes_sent = 0
        delivery.uploaded_at = None
        delivery.restarts = 0
    session.commit()
    record(
        Action.POST_RETRIED,
        actor=Actor.user(user),
        summary=f"post {post.id}: retry ({'fresh upload' if fresh else 'continue'})",
        account_id=delivery.account_id,
        post_id=post.id,
    )
    return delivery


def timeline(session: Session, post: Post, viewer: Any) -> list[Any] | None:
    """The post's audit entries that `viewer` may see."""
    return audit.entries_for_post(session, post.id, viewer)
