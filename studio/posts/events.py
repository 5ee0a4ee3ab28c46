"""Publish events from the platforms' webhooks, applied to deliveries; the posts room's own
signals (approval asked and decided) for the rooms after it (notify)."""

from __future__ import annotations

from typing import Any

from blinker import Namespace
from sqlalchemy import select
from sqlalchemy.orm import Session

from studio import db
from studio.audit import Action, Actor, record, scope
from studio.db import utcnow
from studio.platforms import events as platform_events
from studio.platforms import registry
from studio.platforms.models import TERMINAL, Delivery, DeliveryStatus, Mode

_signals = Namespace()
# (post, by=user): a post now waits for approval (new, or edited after approval).
approval_needed = _signals.signal("post-approval-needed")
# (post, by=user, approved=bool): an approver approved the post or sent it back.
approval_decided = _signals.signal("post-approval-decided")


def apply_publish_event(
    session: Session, platform: str, remote_id: str, event: str, content: dict[str, Any]
) -> Delivery | None:
    """Apply a post.publish.* webhook to the delivery with this remote id (idempotent)."""

    db.begin_write(session)
    delivery = session.scalar(
        select(Delivery)
        .where(Delivery.platform == platform, Delivery.remote_id == remote_id)
        .with_for_update(of=Delivery)
    )
    if delivery is None:
        session.rollback()
        return None
    before = delivery.status
    if event == "post.publish.failed":
        if delivery.status != DeliveryStatus.PUBLISHED:
            # TikTok's codes are short; anything longer would not fit the column (80).
            code = str(content.get("reason") or "internal")[:80]
            reason = registry.sender_of(platform).explain(code, None, True)
            delivery.status, delivery.fail_reason = DeliveryStatus.FAILED, code
            delivery.fail_message, delivery.retryable = reason.text, reason.retryable
            delivery.remote_status, delivery.finished_at = "FAILED", utcnow()
    elif event == "post.publish.complete":
        delivery.status, delivery.remote_status = DeliveryStatus.PUBLISHED, "PUBLISH_COMPLETE"
        delivery.finished_at = delivery.finished_at or utcnow()
    elif event == "post.publish.inbox_delivered":
        if delivery.status not in TERMINAL:
            delivery.status, delivery.remote_status = DeliveryStatus.IN_INBOX, "SEND_TO_USER_INBOX"
            delivery.finished_at = utcnow()
    elif event == "post.publish.publicly_available" and content.get("post_id") is not None:
        ids = [*(delivery.remote_post_ids or []), str(content["post_id"])]
        delivery.remote_post_ids = list(dict.fromkeys(ids))
    if delivery.status in TERMINAL:
        delivery.transfer_url_enc = None
        delivery.next_attempt_at = None
    session.commit()
    if delivery.status != before:
        with scope(account_id=delivery.account_id, post_id=delivery.post_id):
            record(
                Action.POST_STATUS,
                actor=Actor.webhook(platform),
                summary=f"post {delivery.post_id}: {before} → {delivery.status} ({event})",
            )
    if delivery.status == DeliveryStatus.PUBLISHED and delivery.mode == Mode.DRAFT:
        wake_held(session, delivery.account_id)
    return delivery


def wake_held(session: Session, account_id: int) -> int:
    """A draft stopped counting against the limit: let held deliveries try again now."""
    held = list(
        session.scalars(
            select(Delivery.id).where(
                Delivery.account_id == account_id, Delivery.status == DeliveryStatus.HELD
            )
        )
    )
    for delivery_id in held:
        delivery = session.get(Delivery, delivery_id)
        if delivery is not None:
            delivery.next_attempt_at = utcnow()
    session.commit()
    return len(held)


@platform_events.publish_event.connect
def on_publish_event(
    session: Session, *, platform: str, remote_id: str, event: str, content: dict[str, Any]
) -> str:
    """The platforms' announcement → "applied", or "no_post" when no delivery has that id."""
    found = apply_publish_event(session, platform, remote_id, event, content)
    return "applied" if found else "no_post"
