"""Read-side questions about posts and deliveries: lookups, due work, counts.

Every query here reads an index range whose size does not grow with the number of finished
deliveries (keyset pages, capped counts, the draft window by account and time).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from studio import db
from studio.db import utcnow
from studio.platforms.models import (
    TERMINAL,
    Account,
    Delivery,
    DeliveryStatus,
)
from studio.posts import planning
from studio.posts.models import Post
from studio.videos import events as video_events
from studio.videos.models import Video

COUNT_CAP = 1000  # the dashboard says "1,000+" beyond this
ACTIVE = [s.value for s in DeliveryStatus if s not in TERMINAL]  # unfinished deliveries
# What a worker may take: unfinished, and not waiting for someone's approval.
SENDABLE = [s for s in ACTIVE if s != DeliveryStatus.AWAITING_APPROVAL.value]


def get_post(session: Session, post_id: int) -> Post | None:
    """One post (every staff member may see every company post)."""
    return session.get(Post, post_id)


def list_posts(
    session: Session, *, before: int | None = None, after: int | None = None, limit: int = 50
) -> db.KeysetPage[Post]:
    """A keyset page of posts (``db.keyset_page``), with what each row shows."""
    # The related rows come in separate IN queries: joined into the page query, they can lead
    # a planner (SQLite's, with statistics) to walk the posts by video and sort them all.
    related = (
        selectinload(Post.video),
        selectinload(Post.deliveries).selectinload(Delivery.account),
        selectinload(Post.created_by),
    )
    return db.keyset_page(session, Post, before=before, after=after, limit=limit, options=related)


def get_delivery(session: Session, post_id: int, delivery_id: int) -> Delivery | None:
    """One delivery of the post, or None."""
    delivery = session.get(Delivery, delivery_id)
    return delivery if delivery is not None and delivery.post_id == post_id else None


def due_deliveries(session: Session, limit: int = 100) -> list[int]:
    """Unfinished deliveries nobody holds whose next attempt (or scheduled time) is due and
    that wait for no approval: the sweeper's list. Scheduled ones are marked started."""
    now = utcnow()
    query = (
        select(Delivery.id)
        .where(
            Delivery.status.in_(SENDABLE),  # an index range: finished ones are never read
            or_(Delivery.lease_until.is_(None), Delivery.lease_until < now),
            or_(Delivery.next_attempt_at.is_(None), Delivery.next_attempt_at <= now),
        )
        .order_by(Delivery.id)
        .limit(limit)
    )
    if not db.is_sqlite(session):
        query = query.with_for_update(skip_locked=True)
    ids = list(session.scalars(query))
    planning.hand_out(session, ids)
    return ids


def counts(session: Session, cap: int = COUNT_CAP) -> dict[str, int]:
    """Deliveries in flight, in inboxes, published and failed, each counted up to ``cap``.

    Each count reads at most ``cap`` entries of the status index, so the dashboard costs the
    same with a hundred posts or a million; ``cap`` means "at least that many".
    """
    groups = {
        "in_flight": ACTIVE,
        "in_inbox": [DeliveryStatus.IN_INBOX.value],
        "published": [DeliveryStatus.PUBLISHED.value],
        "failed": [DeliveryStatus.FAILED.value],
    }
    return {name: _count_upto(session, statuses, cap) for name, statuses in groups.items()}


def _count_upto(session: Session, statuses: list[str], cap: int) -> int:
    some = select(Delivery.status).where(Delivery.status.in_(statuses)).limit(cap).subquery()
    return session.scalar(select(func.count()).select_from(some)) or 0


@video_events.deleting.connect
def video_busy_reason(session: Session, video: Any) -> str | None:
    """Why a video's file must stay (a post is still sending it), or None (videos room asks)."""
    busy = session.scalar(
        select(func.count(Delivery.id))
        .join(Post, Post.id == Delivery.post_id)
        .where(Post.video_id == video.id, Delivery.status.in_(ACTIVE))
    )
    return f"{busy} post(s) are still sending it to TikTok" if busy else None


def get_video_or_none(session: Session, video_id: int | None) -> Video | None:
    """The video by id, or None."""
    return session.get(Video, video_id) if video_id else None


def get_account(session: Session, account_id: int | None) -> Account | None:
    """The TikTok account by id, or None."""
    return session.get(Account, account_id) if account_id else None
