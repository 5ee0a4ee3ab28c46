"""Who gets which e-mail about posts, and what it says: status words and a link, never a
token nor a caption (the platform may not have published it)."""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import time
from typing import Any

from flask import current_app
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from studio import jobs
from studio.audit import Action, Actor, record
from studio.auth.models import Role, User
from studio.db import rowcount, utcnow
from studio.platforms.models import TERMINAL, Delivery, DeliveryStatus
from studio.posts.events import approval_decided, approval_needed
from studio.posts.models import Post
from studio.privacy import mail
from studio.security import external_url
from studio.staff.preferences import wants

log = logging.getLogger(__name__)

# (kind, subject, first line) per finished status.
FINISHED = {
    DeliveryStatus.PUBLISHED: ("landed", "Published", "was published."),
    DeliveryStatus.IN_INBOX: (
        "needs_person",
        "Draft to finish in TikTok",
        "is in the account's TikTok inbox: open TikTok on that account, paste the caption "
        "from the post page and post it.",
    ),
    DeliveryStatus.FAILED: ("failed", "Failed", "failed."),
}


def _link(post_id: int) -> str:
    return external_url("posts.detail", post_id=post_id)


class MailDown(Exception):
    """The mail server refused or could not be reached (the caller may try again later)."""


def _send(
    user: User | None,
    kind: str,
    post_id: int,
    subject: str,
    lines: list[str],
    retry: bool = False,
) -> bool:
    """One e-mail about a post to one person, if they want this kind."""
    return mail_one(
        user,
        kind,
        f"[Social Studio] Post #{post_id}: {subject}",
        [*lines, f"Post #{post_id}: {_link(post_id)}"],
        Action.POST_NOTIFIED,
        f"post {post_id}",
        retry=retry,
        post_id=post_id,
    )


def mail_one(
    user: User | None,
    kind: str,
    subject: str,
    lines: list[str],
    action: Action,
    about: str,
    retry: bool = False,
    **where: int,
) -> bool:
    """One e-mail to one person, if they want this kind; audited without the address.

    When the mail server fails: logged, then MailDown when the caller will `retry`, else
    False (not sent, not retried)."""
    if user is None or user.deleted_at is not None or not user.active or not wants(user, kind):
        return False
    try:
        mail.send(user.email, subject, "\n\n".join([*lines, _FOOTER]))
    except (OSError, smtplib.SMTPException) as exc:
        # Only the type: an SMTP error can quote the address.
        log.warning(
            "notify: could not e-mail staff #%s about %s: %s", user.id, about, type(exc).__name__
        )
        if retry:
            raise MailDown(about) from exc
        return False
    record(
        action,
        actor=Actor.system(),
        summary=f"{about}: e-mailed staff #{user.id} ({kind})",
        **where,  # type: ignore[arg-type]
    )
    return True


_FOOTER = "You can choose which e-mails you receive in your profile in Social Studio."


def approvers(session: Session, post: Post) -> list[User]:
    """Who may approve the post: admins, or every staff member with APPROVAL_BY_PEERS; never
    its author."""
    query = select(User).where(User.deleted_at.is_(None), User.active.is_(True))
    if not current_app.config["APPROVAL_BY_PEERS"]:
        query = query.where(User.role == Role.ADMIN)
    return [u for u in session.scalars(query) if u.id != post.created_by_id]


@approval_needed.connect
def on_approval_needed(post: Post, by: Any = None) -> None:
    """Queue the e-mails to the approvers (a slow mail server never holds the request)."""
    jobs.enqueue("notify_approval", post.id, "needed")


@approval_decided.connect
def on_approval_decided(post: Post, by: Any = None, approved: bool = False) -> None:
    """Queue the e-mail telling the author the decision."""
    jobs.enqueue("notify_approval", post.id, "approved" if approved else "returned")


def tell_approval(session: Session, post_id: int, what: str) -> int:
    """E-mail approvers that a post waits ("needed"), or its author the decision; how many."""
    post = session.get(Post, post_id)
    if post is None:
        return 0
    if what == "needed":
        lines = [f"Post #{post.id} waits for approval before anything is sent.", "Review it:"]
        return sum(
            _send(user, "approval", post.id, "Waiting for your approval", lines)
            for user in approvers(session, post)
        )
    if what == "approved":
        subject, line = "Approved", "was approved; it goes out at its time."
    else:
        subject, line = "Sent back", "was sent back to you; the reason is on the post page."
    told = _send(post.created_by, "approval", post.id, subject, [f"Your post #{post.id} {line}"])
    return int(told)


def pending(session: Session, limit: int = 100) -> list[int]:
    """Recently finished deliveries nobody was told about yet."""
    hours = float(current_app.config["NOTIFY_LOOKBACK_HOURS"])
    since = utcnow() - dt.timedelta(hours=hours)
    terminal = [s.value for s in TERMINAL if s != DeliveryStatus.CANCELLED]
    return list(
        session.scalars(
            select(Delivery.id)
            .where(
                Delivery.finished_at > since,
                Delivery.status.in_(terminal),
                or_(
                    Delivery.notified_status.is_(None),
                    Delivery.notified_status != Delivery.status,
                ),
            )
            .order_by(Delivery.id)
            .limit(limit)
        )
    )


def release(session: Session, delivery_id: int, status: str, before: str | None) -> None:
    """Give back a claim whose e-mail the mail server refused, so a later sweep sends it."""
    session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id, Delivery.notified_status == status)
        .values(notified_status=before)
        .execution_options(synchronize_session=False)
    )
    session.commit()


def claim(session: Session, delivery_id: int, status: str) -> bool:
    """Take the e-mail about this status (one worker sends it, at most once)."""
    result = session.execute(
        update(Delivery)
        .where(
            Delivery.id == delivery_id,
            Delivery.status == status,
            or_(Delivery.notified_status.is_(None), Delivery.notified_status != status),
        )
        .values(notified_status=status)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return rowcount(result) == 1


def tell_finished(session: Session, delivery_id: int) -> bool:
    """E-mail the author about one finished delivery (once per status); True when sent."""
    delivery = session.get(Delivery, delivery_id)
    if delivery is None or delivery.status not in FINISHED:
        return False
    status, before = str(delivery.status), delivery.notified_status
    if not claim(session, delivery_id, status):
        return False
    post = session.get(Post, delivery.post_id)
    if post is None:
        return False
    kind, subject, line = FINISHED[delivery.status]
    where = delivery.account.display_name or f"account #{delivery.account_id}"
    lines = [f"The delivery of post #{post.id} to {where} ({delivery.platform}) {line}"]
    if delivery.status == DeliveryStatus.FAILED:
        lines.append("The post page says why and whether trying again can help.")
    try:
        return _send(post.created_by, kind, post.id, subject, lines, retry=True)
    except MailDown:
        release(session, delivery_id, status, before)
        raise


def sweep(session: Session) -> int:
    """E-mail about every recently finished delivery not told yet; how many e-mails went.

    When the mail server fails, the e-mail waits for a later sweep, and sweeps pause for
    NOTIFY_RETRY_PAUSE seconds (a server that drops connections costs a timeout per e-mail)."""
    paused = current_app.extensions.setdefault("notify.paused_until", [0.0])
    if time.monotonic() < paused[0]:
        return 0
    told = 0
    for delivery_id in pending(session):
        try:
            told += tell_finished(session, delivery_id)
        except MailDown:
            paused[0] = time.monotonic() + float(current_app.config["NOTIFY_RETRY_PAUSE"])
            break
    return told
