"""Read-side questions about posts: lookups, the draft count, due work, dashboard counts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from studio import db
from studio.db import utcnow
from studio.posts.models import PENDING_DRAFT, TERMINAL, Mode, Post, PostStatus
from studio.tiktok.models import TikTokAccount
from studio.videos.models import Video

DRAFT_WINDOW = dt.timedelta(hours=24)


def pending_drafts(session: Session, account_id: int) -> int:
    """Drafts TikTok counts against the 5-per-24-hours limit for this account."""
    since = utcnow() - DRAFT_WINDOW
    return (
        session.scalar(
            select(func.count(Post.id)).where(
                Post.account_id == account_id,
                Post.mode == Mode.DRAFT,
                Post.publish_id.is_not(None),
                Post.sent_at > since,
                Post.status.in_([s.value for s in PENDING_DRAFT]),
            )
        )
        or 0
    )


def get_post(session: Session, post_id: int) -> Post | None:
    """One post (every staff member may see every company post)."""
    return session.get(Post, post_id)


def list_posts(session: Session, limit: int = 50, offset: int = 0) -> list[Post]:
    """Newest first."""
    query = select(Post).order_by(Post.created_at.desc(), Post.id.desc())
    return list(session.scalars(query.limit(limit).offset(offset)))


def count_posts(session: Session) -> int:
    """How many posts exist."""
    return session.scalar(select(func.count(Post.id))) or 0


def due_posts(session: Session, limit: int = 100) -> list[int]:
    """Unfinished posts nobody holds whose next attempt is due (the sweeper's work list)."""
    now = utcnow()
    query = (
        select(Post.id)
        .where(
            Post.status.not_in([s.value for s in TERMINAL]),
            or_(Post.lease_until.is_(None), Post.lease_until < now),
            or_(Post.next_attempt_at.is_(None), Post.next_attempt_at <= now),
        )
        .order_by(Post.id)
        .limit(limit)
    )
    if not db.is_sqlite(session):
        query = query.with_for_update(skip_locked=True)
    ids = list(session.scalars(query))
    session.commit()
    return ids


def counts(session: Session) -> dict[str, int]:
    """Posts in flight, in inboxes and failed (for the dashboard)."""
    rows = session.execute(select(Post.status, func.count(Post.id)).group_by(Post.status)).all()
    by_status = {str(s): n for s, n in rows}
    done = {PostStatus.IN_INBOX, PostStatus.PUBLISHED, PostStatus.FAILED}
    return {
        "in_flight": sum(n for s, n in by_status.items() if s not in done),
        "in_inbox": by_status.get(PostStatus.IN_INBOX, 0),
        "published": by_status.get(PostStatus.PUBLISHED, 0),
        "failed": by_status.get(PostStatus.FAILED, 0),
    }


def video_busy_reason(session: Session, video: Any) -> str | None:
    """Why a video's file must stay (a post is still sending it), or None (videos room asks)."""
    busy = session.scalar(
        select(func.count(Post.id)).where(
            Post.video_id == video.id, Post.status.not_in([s.value for s in TERMINAL])
        )
    )
    return f"{busy} post(s) are still sending it to TikTok" if busy else None


def get_video_or_none(session: Session, video_id: int | None) -> Video | None:
    """The video by id, or None."""
    return session.get(Video, video_id) if video_id else None


def get_account(session: Session, account_id: int | None) -> TikTokAccount | None:
    """The TikTok account by id, or None."""
    return session.get(TikTokAccount, account_id) if account_id else None
