"""Erasing what the posts room owns: an account's posts, leaving a tombstone per erased post."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from studio import db
from studio.posts.models import Post, PostErasure


@dataclass
class ErasedPosts:
    """How many posts went, and the videos they sent (for the videos room to erase next)."""

    posts: int = 0
    video_ids: list[int] = field(default_factory=list)


def erase_for_account(session: Session, account_id: int, request_id: int | None) -> ErasedPosts:
    """Delete every post sent to ``account_id``; the caller commits. Safe to run again.

    Each erased post leaves a tombstone naming ``request_id`` (numbers only, no content); an
    erasure without a request (replayed after a restore) has no number to name and leaves none.
    """
    posts = session.scalars(select(Post).where(Post.account_id == account_id)).all()
    if request_id is not None:
        now = db.utcnow()
        for post in posts:
            session.merge(PostErasure(post_id=post.id, request_id=request_id, erased_at=now))
    for post in posts:
        session.delete(post)
    return ErasedPosts(len(posts), sorted({p.video_id for p in posts}))


def tombstone(session: Session, post_id: int) -> PostErasure | None:
    """The record of an erased post, if a deletion request erased it."""
    return session.get(PostErasure, post_id)
