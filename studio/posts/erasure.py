"""Erasing what the posts room owns: an account's deliveries and the posts left with none."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from studio import db
from studio.platforms.models import Delivery
from studio.posts.models import Post, PostErasure


@dataclass
class ErasedPosts:
    """How many deliveries and posts went, and the videos of those posts (erased next)."""

    posts: int = 0
    video_ids: list[int] = field(default_factory=list)
    deliveries: int = 0


def erase_for_account(session: Session, account_id: int, request_id: int | None) -> ErasedPosts:
    """Delete every delivery to ``account_id`` and each post left with no delivery; the caller
    commits. Safe to run again.

    Each erased post leaves a tombstone naming ``request_id`` (numbers only, no content); an
    erasure without a request (replayed after a restore) has no number to name and leaves none.
    """
    posts = session.scalars(
        select(Post).where(
            Post.id.in_(select(Delivery.post_id).where(Delivery.account_id == account_id))
        )
    ).all()
    removed = 0
    for post in posts:
        for delivery in [d for d in post.deliveries if d.account_id == account_id]:
            post.deliveries.remove(delivery)  # delete-orphan: the row goes at the flush
            removed += 1
    posts = [post for post in posts if not post.deliveries]
    if request_id is not None:
        now = db.utcnow()
        for post in posts:
            session.merge(PostErasure(post_id=post.id, request_id=request_id, erased_at=now))
    for post in posts:
        session.delete(post)
    return ErasedPosts(len(posts), sorted({p.video_id for p in posts}), removed)


def tombstone(session: Session, post_id: int) -> PostErasure | None:
    """The record of an erased post, if a deletion request erased it."""
    return session.get(PostErasure, post_id)
