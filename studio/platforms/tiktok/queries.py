"""TikTok's draft window: drafts it counts as pending for an account (5 per 24 hours).

Source: docs/platforms/tiktok.md, "Inbox (draft) upload".
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from studio.db import utcnow
from studio.platforms.models import PENDING_DRAFT, Delivery, Mode

DRAFT_WINDOW = dt.timedelta(hours=24)


def pending_drafts(session: Session, account_id: int) -> int:
    """Drafts TikTok counts against the 5-per-24-hours limit for this account."""
    since = utcnow() - DRAFT_WINDOW
    return (
        session.scalar(
            select(func.count(Delivery.id)).where(
                Delivery.account_id == account_id,
                Delivery.mode == Mode.DRAFT,
                Delivery.remote_id.is_not(None),
                Delivery.sent_at > since,
                Delivery.status.in_([s.value for s in PENDING_DRAFT]),
            )
        )
        or 0
    )
