"""Approval (APPROVAL_REQUIRED): approvers see the preview, approve or send back; an edit
after approval needs approval again, because approval is bound to a digest of the content."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from flask import current_app
from sqlalchemy.orm import Session

from studio import db
from studio.audit import Action, Actor, record
from studio.db import utcnow
from studio.platforms.models import Delivery, DeliveryStatus
from studio.posts import captions, planning
from studio.posts.events import approval_decided, approval_needed
from studio.posts.models import Approval, Post
from studio.posts.planning import Plan


class ApprovalError(Exception):
    """An approval step that cannot happen; the message is for people."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def digest(post: Post) -> str:
    """SHA-256 of everything the preview shows: any change makes a different digest."""
    content = {
        "video": post.video_id,
        "caption": post.caption,
        "hashtags": list(post.hashtags or []),
        "product": [post.product_name, post.product_sku],
        "aigc": post.is_aigc,
        "to": sorted(
            [d.account_id, str(d.mode), json.dumps(d.options, sort_keys=True)]
            for d in post.deliveries
            if d.status != DeliveryStatus.CANCELLED
        ),
    }
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def is_approved(post: Post) -> bool:
    """Approved, and unchanged since."""
    return post.approval == Approval.APPROVED and post.approval_digest == digest(post)


def may_approve(post: Post, user: Any) -> bool:
    """Admins (or, with APPROVAL_BY_PEERS, any staff member) other than the author."""
    if user is None or post.created_by_id == user.id or post.approval != Approval.PENDING:
        return False
    return bool(user.is_admin or current_app.config["APPROVAL_BY_PEERS"])


def announce_plan(post: Post, user: Any, plan: Plan) -> None:
    """Audit a new post's schedule and approval request; tell the approvers."""
    for delivery in post.deliveries:
        if delivery.scheduled_at is not None:
            record(
                Action.POST_SCHEDULED,
                actor=Actor.user(user),
                summary=f"post {post.id}: delivery {delivery.id} scheduled for "
                f"{delivery.scheduled_at:%Y-%m-%d %H:%M} UTC",
                account_id=delivery.account_id,
                post_id=post.id,
            )
    if plan.needs_approval:
        _ask(post, user)


def _ask(post: Post, user: Any) -> None:
    record(
        Action.POST_APPROVAL_REQUESTED,
        actor=Actor.user(user),
        summary=f"post {post.id}: waits for approval",
        post_id=post.id,
    )
    approval_needed.send(post, by=user)


def _locked(session: Session, post: Post) -> Post:
    db.begin_write(session)
    session.refresh(post, with_for_update={"of": Post})
    for delivery in post.deliveries:
        session.refresh(delivery, with_for_update={"of": Delivery})
    return post


def approve(session: Session, post: Post, user: Any, seen: str) -> None:
    """Approve what the approver saw (``seen``: the digest on their page). Deliveries due
    now are marked started; the caller hands the post to ``services.enqueue_post``, which
    sends those and wakes the sweeper at the time of the others.
    """
    post = _locked(session, post)
    if not may_approve(post, user):
        session.rollback()
        raise ApprovalError("You cannot approve this post (it is yours, or not waiting).")
    if seen != digest(post):
        session.rollback()
        raise ApprovalError("The post changed while you looked at it. Look at it again.")
    now = utcnow()
    post.approval, post.approval_digest = Approval.APPROVED, seen
    post.approved_by_id, post.approved_at, post.returned_reason = user.id, now, None
    due = []
    for delivery in post.deliveries:
        if delivery.status != DeliveryStatus.AWAITING_APPROVAL:
            continue
        delivery.status = DeliveryStatus.QUEUED
        if delivery.scheduled_at is None or delivery.scheduled_at <= now:
            delivery.next_attempt_at, delivery.started_at = None, now
            due.append(delivery.id)
        else:
            delivery.next_attempt_at = delivery.scheduled_at
    session.commit()
    record(
        Action.POST_APPROVED,
        actor=Actor.user(user),
        summary=f"post {post.id}: approved ({len(due)} delivery(ies) sent now)",
        payload={"digest": seen},
        post_id=post.id,
    )
    approval_decided.send(post, by=user, approved=True)


def send_back(session: Session, post: Post, user: Any, reason: str) -> None:
    """Return the post to its author with a reason they read on the post page."""
    reason = reason.strip()
    if not reason:
        raise ApprovalError("Say why you send it back, so the author can fix it.")
    post = _locked(session, post)
    if not may_approve(post, user):
        session.rollback()
        raise ApprovalError("You cannot send this post back (it is yours, or not waiting).")
    post.approval, post.returned_reason = Approval.RETURNED, reason[:1000]
    post.approval_digest = None
    session.commit()
    record(
        Action.POST_RETURNED,
        actor=Actor.user(user),
        summary=f"post {post.id}: sent back to its author",
        payload={"reason": reason[:1000]},
        post_id=post.id,
    )
    approval_decided.send(post, by=user, approved=False)


def may_edit(post: Post, user: Any) -> bool:
    """The author or an admin, while every delivery is still changeable."""
    if user is None or not (user.is_admin or post.created_by_id == user.id):
        return False
    live = [d for d in post.deliveries if d.status != DeliveryStatus.CANCELLED]
    return bool(live) and all(planning.changeable(d) for d in live)


def edit(session: Session, post: Post, user: Any, caption: str, hashtags_raw: str) -> Post:
    """Change the caption and hashtags before sending; any approval is needed again."""
    hashtags = captions.normalise_hashtags(hashtags_raw, caption)
    problem = captions.title_problem(captions.compose_title(caption, hashtags))
    if problem:
        raise ApprovalError(problem)
    post = _locked(session, post)
    if not may_edit(post, user):
        session.rollback()
        raise ApprovalError("Sending has started, so this post can no longer be edited.")
    post.caption, post.hashtags = caption.replace("\r\n", "\n").strip(), hashtags
    again = post.approval != Approval.NONE or bool(current_app.config["APPROVAL_REQUIRED"])
    if again:
        post.approval, post.approval_digest, post.approved_at = Approval.PENDING, None, None
        for delivery in post.deliveries:
            if delivery.status == DeliveryStatus.QUEUED:
                delivery.status = DeliveryStatus.AWAITING_APPROVAL
    session.commit()
    record(
        Action.POST_EDITED,
        actor=Actor.user(user),
        summary=f"post {post.id}: caption edited" + (", approval needed again" if again else ""),
        post_id=post.id,
    )
    if again:
        _ask(post, user)
    return post
