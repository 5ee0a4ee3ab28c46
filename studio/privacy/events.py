"""What a stored webhook delivery does: TikTok events and Meta deletion requests."""

from __future__ import annotations

import hashlib
import hmac
import logging
from typing import Any

from flask import current_app
from sqlalchemy.orm import Session

from studio.audit import Actor, scope
from studio.privacy import codes, payloads, services, webhooks
from studio.privacy.models import DeletionRequest

log = logging.getLogger(__name__)

REMOVAL_REASONS = {
    0: "unknown reason",
    1: "the user disconnected the app in TikTok",
    2: "the TikTok account was deleted",
    3: "the account holder's age changed",
    4: "the TikTok account was banned",
    5: "this app ended its access",
}


def process(session: Session, delivery_id: int) -> str | None:
    """Process one delivery if it still needs it; returns the outcome."""
    claimed = webhooks.claim(session, delivery_id)
    if claimed is None:
        return None
    row, body = claimed
    try:
        envelope = payloads.tiktok_event(body) if row.source == "tiktok" else None
        outcome = handle_tiktok(session, envelope) if envelope else "ignored"
    except Exception as exc:
        # Only the exception's type: messages may quote SQL parameters (identifiers).
        log.warning("webhook delivery %s failed: %s", delivery_id, type(exc).__name__)
        webhooks.failed(session, row, type(exc).__name__)
        raise
    webhooks.finish(session, row, outcome)
    return outcome


def handle_tiktok(session: Session, envelope: payloads.TikTokEvent) -> str:
    """Dispatch one TikTok event; unknown events are acknowledged and ignored."""
    event, content = envelope.event, envelope.content
    if event == "authorization.removed":
        return _authorization_removed(session, envelope.user_openid, content)
    if event.startswith("post.publish."):
        return _publish_event(session, event, content)
    return "ignored"


def _authorization_removed(session: Session, open_id: str, content: dict[str, Any]) -> str:
    from studio.platforms.tiktok import services as tiktok

    try:
        reason_code = int(content.get("reason", 0))
    except (TypeError, ValueError):
        reason_code = 0
    reason = f"authorization removed at TikTok: {REMOVAL_REASONS.get(reason_code, 'unknown')}"
    actor = Actor.webhook("tiktok")
    account = tiktok.grant_removed(session, open_id, reason, actor) if open_id else None
    if account is None:
        return "no_account"
    if not current_app.config["WEBHOOK_OPENS_DELETION"]:
        return "disconnected"
    with scope(actor=actor, account_id=account.id):
        req, _code = services.open_request(
            session,
            kind="tiktok",
            source="tiktok",
            subject={"open_id": open_id},
            identifier=open_id,
            actor=actor,
            verified=True,
        )
        req.account_id = account.id
        session.commit()
        if current_app.config["DELETION_AUTO_EXECUTE"]:
            services.start(session, req, actor)
    return "deletion_opened"


def _publish_event(session: Session, event: str, content: dict[str, Any]) -> str:
    publish_id = str(content.get("publish_id") or "")
    if not publish_id:
        return "ignored"
    try:
        from studio.posts import services as posts
    except ImportError:
        return "posts_unavailable"
    apply = getattr(posts, "apply_publish_event", None)
    if apply is None:
        return "posts_unavailable"
    result = apply(session, publish_id, event, content)
    return "applied" if result else "no_post"


def meta_code(delivery_digest: str) -> str:
    """The confirmation code for a Meta request, derived so Meta's retries get the same one."""
    key = current_app.config["SECRET_KEY"].encode()
    raw = hmac.new(key, b"meta-deletion:" + delivery_digest.encode(), hashlib.sha256).digest()
    number = int.from_bytes(raw, "big")
    chars = []
    for _ in range(codes.CODE_LENGTH):
        number, index = divmod(number, len(codes.ALPHABET))
        chars.append(codes.ALPHABET[index])
    return "".join(chars)


def open_meta_request(session: Session, user_id: str, received: webhooks.Received) -> str:
    """Open (once) a verified request for a Meta user; returns its confirmation code."""
    code = meta_code(received.delivery.digest)
    if received.duplicate:
        return code
    actor = Actor.webhook("meta")
    req, _ = services.open_request(
        session,
        kind="meta",
        source="meta",
        subject={"meta_user_id": user_id},
        identifier=f"meta:{user_id}",
        actor=actor,
        verified=True,
    )
    _replace_code(session, req, code)
    webhooks.finish(session, received.delivery, "deletion_opened")
    if current_app.config["DELETION_AUTO_EXECUTE"]:
        services.start(session, req, actor)
    return code


def _replace_code(session: Session, req: DeletionRequest, code: str) -> None:
    req.code_hash = codes.hash_code(code)
    session.commit()
