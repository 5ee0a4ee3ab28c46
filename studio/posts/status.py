"""What the status endpoints and the post page's live updates show of a post's deliveries."""

from __future__ import annotations

from typing import Any

from studio.platforms.models import Delivery
from studio.posts.models import Post


def delivery_payload(delivery: Delivery) -> dict[str, Any]:
    """What the status endpoint and live page updates show of one delivery."""
    return {
        "id": delivery.id,
        "account_id": delivery.account_id,
        "platform": delivery.platform,
        "status": str(delivery.status),
        "label": delivery.label,
        "terminal": delivery.is_terminal,
        "progress": round(delivery.progress, 4),
        "bytes_sent": delivery.bytes_sent,
        "video_size": delivery.video_size,
        "transfer": delivery.transfer,
        "remote_id": delivery.remote_id,
        "remote_status": delivery.remote_status,
        "fail_reason": delivery.fail_reason,
        "fail_message": delivery.fail_message,
        "retryable": delivery.retryable,
        "note": delivery.status_note,
        "next_attempt_at": (
            delivery.next_attempt_at.isoformat() if delivery.next_attempt_at else None
        ),
        "post_ids": list(delivery.remote_post_ids or []),
    }


def status_payload(post: Post) -> dict[str, Any]:
    """The post's id and each of its deliveries (the status endpoints and live updates)."""
    return {"id": post.id, "deliveries": [delivery_payload(d) for d in post.deliveries]}
