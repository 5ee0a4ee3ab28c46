"""When a public request erases a connected account: a dashboard notice and admin mail."""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from studio import db
from studio.auth import services as auth_services
from studio.privacy import mail, services
from studio.privacy.models import DeletionRequest, RequestStatus

log = logging.getLogger(__name__)
NOTICE_DAYS = 30

# What a receipt count means, in staff's words (the receipt itself speaks to the requester).
STAFF_WORDS = {
    "tiktok_profile": ("connected TikTok account", "connected TikTok accounts"),
    "posts": ("post", "posts"),
    "videos": ("video", "videos"),
    "video_files": ("video or poster file", "video and poster files"),
    "audit_payloads": ("audit entry's contents", "audit entries' contents"),
}
# A request touched the company's own account when it erased any of these.
COMPANY = ("tiktok_profile", "posts", "videos")


@dataclass
class Notice:
    """One request that erased the company's account, as staff are told about it."""

    request_id: int
    at: dt.datetime
    items: list[str]

    @property
    def sentence(self) -> str:
        when = self.at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        return (
            f"On {when}, public data-deletion request #{self.request_id} from the account's "
            f"owner erased {', '.join(self.items)}. Those posts and videos are gone for good."
        )


def erased_items(req: DeletionRequest) -> list[str]:
    """ "1 connected TikTok account", "3 posts", ... from the request's receipt."""
    counts = services.receipt(req).get("erased", {})
    return [
        f"{counts[key]} {one if counts[key] == 1 else many}"
        for key, (one, many) in STAFF_WORDS.items()
        if counts.get(key)
    ]


def affects_company(req: DeletionRequest) -> bool:
    counts = services.receipt(req).get("erased", {})
    return any(counts.get(key) for key in COMPANY)


def notice(req: DeletionRequest) -> Notice:
    return Notice(req.id, req.completed_at or req.updated_at, erased_items(req))


def recent(session: Session, days: int = NOTICE_DAYS) -> list[Notice]:
    """Requests of the last ``days`` that erased the company's account, newest first."""
    since = db.utcnow() - dt.timedelta(days=days)
    done = session.scalars(
        select(DeletionRequest)
        .where(DeletionRequest.status == RequestStatus.COMPLETED)
        .where(DeletionRequest.completed_at >= since)
        .order_by(DeletionRequest.completed_at.desc())
    ).all()
    return [notice(req) for req in done if affects_company(req)]


def notify_admins(session: Session, req: DeletionRequest) -> int:
    """E-mail every active admin what the request erased and when; returns how many."""
    if not affects_company(req):
        return 0
    admins = auth_services.admin_emails(session)
    told = notice(req)
    body = (
        f"{told.sentence}\n\n"
        "The owner of the TikTok account proved to TikTok that the account is theirs and asked "
        "us to erase its data, as the law entitles them to. The posts' pages now say that they "
        "were erased and by which request; their contents cannot be recovered. To publish to "
        "that account again, reconnect it on the TikTok account page.\n"
    )
    sent = 0
    for email in admins:
        try:
            mail.send(email, f"Deletion request #{req.id} erased a connected TikTok account", body)
            sent += 1
        except (OSError, smtplib.SMTPException) as exc:
            log.warning("could not tell an admin about request %s: %s", req.id, type(exc).__name__)
    return sent
