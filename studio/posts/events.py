"""Publish events from the platforms' webhooks, applied to posts."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from studio import db
from studio.audit import Action, Actor, record, scope
from studio.db import utcnow
from studio.platforms import events as platform_events
from studio.posts.models import TERMINAL, Mode, Post, PostStatus
from studio.posts.reasons import FAIL_REASONS, explain


def apply_publish_event(
    session: Session, publish_id: str, event: str, content: dict[str, Any]
) -> Post | None:
    """Apply a TikTok post.publish.* webhook to the post with this publish_id (idempotent)."""

    db.begin_write(session)
    post = session.scalar(
        select(Post).where(Post.publish_id == publish_id).with_for_update(of=Post)
    )
    if post is None:
        session.rollback()
        return None
    before = post.status
    if event == "post.publish.failed":
        if post.status != PostStatus.PUBLISHED:
            # TikTok's codes are short; anything longer would not fit the column (80).
            code = str(content.get("reason") or "internal")[:80]
            reason = FAIL_REASONS.get(code) or explain(code)
            post.status, post.fail_reason, post.fail_message = PostStatus.FAILED, code, reason.text
            post.retryable, post.tiktok_status = reason.retryable, "FAILED"
            post.finished_at = utcnow()
    elif event == "post.publish.complete":
        post.status, post.tiktok_status = PostStatus.PUBLISHED, "PUBLISH_COMPLETE"
        post.finished_at = post.finished_at or utcnow()
    elif event == "post.publish.inbox_delivered":
        if post.status not in TERMINAL:
            post.status, post.tiktok_status = PostStatus.IN_INBOX, "SEND_TO_USER_INBOX"
            post.finished_at = utcnow()
    elif event == "post.publish.publicly_available" and content.get("post_id") is not None:
        ids = [*(post.tiktok_post_ids or []), str(content["post_id"])]
        post.tiktok_post_ids = list(dict.fromkeys(ids))
    if post.status in TERMINAL:
        post.upload_url_enc = None
        post.next_attempt_at = None
    session.commit()
    if post.status != before:
        with scope(account_id=post.account_id, post_id=post.id):
            record(
                Action.POST_STATUS,
                actor=Actor.webhook("tiktok"),
                summary=f"post {post.id}: {before} → {post.status} ({event})",
            )
    if post.status == PostStatus.PUBLISHED and post.mode == Mode.DRAFT:
        wake_held(session, post.account_id)
    return post


def wake_held(session: Session, account_id: int) -> int:
    """A draft stopped counting against the limit: let held posts try again now."""
    held = list(
        session.scalars(
            select(Post.id).where(Post.account_id == account_id, Post.status == PostStatus.HELD)
        )
    )
    for post_id in held:
        post = session.get(Post, post_id)
        if post is not None:
            post.next_attempt_at = utcnow()
    session.commit()
    return len(held)


@platform_events.publish_event.connect
def on_publish_event(
    session: Session, *, platform: str, remote_id: str, event: str, content: dict[str, Any]
) -> str:
    """The platforms' announcement → "applied", or "no_post" when no post has that id."""
    return "applied" if apply_publish_event(session, remote_id, event, content) else "no_post"
