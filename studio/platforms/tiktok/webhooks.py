"""TikTok's webhooks: verify the signature, keep the delivery, then say what it means.

`POST /webhooks/tiktok` is registered in TikTok's developer portal: it never moves. Events:
`authorization.removed` ends the grant here (and tells privacy), `post.publish.*` go to the
posts room. See docs/platforms/tiktok.md, "Webhooks".
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, current_app, jsonify, request
from sqlalchemy.orm import Session
from werkzeug.exceptions import RequestEntityTooLarge

from studio import db, jobs
from studio.audit import Actor
from studio.bodies import body_cap, json_too_large
from studio.extensions import csrf, limiter
from studio.platforms import events, inbox
from studio.platforms.payloads import (
    MAX_EVENT,
    MAX_ID,
    Rejected,
    id_field,
    integer,
    parse_json,
    text,
)
from studio.platforms.tiktok import services

MAX_BODY = 64 * 1024
SOURCE = "tiktok"

hooks_bp = Blueprint("tiktok_hooks", __name__)
hooks_bp.register_error_handler(RequestEntityTooLarge, json_too_large)

REMOVAL_REASONS = {
    0: "unknown reason",
    1: "the user disconnected the app in TikTok",
    2: "the TikTok account was deleted",
    3: "the account holder's age changed",
    4: "the TikTok account was banned",
    5: "this app ended its access",
}


@hooks_bp.post("/webhooks/tiktok")
@body_cap(MAX_BODY)
@csrf.exempt
@limiter.limit("600 per minute")
def tiktok_webhook():
    body = request.get_data(cache=False)
    try:
        envelope = verify_tiktok(request.headers.get("TikTok-Signature", ""), body)
    except Rejected as exc:
        inbox.audit_rejected(SOURCE, str(exc), body)
        return jsonify({"error": "rejected"}), 401
    received = inbox.store(db.session, SOURCE, envelope.event, body)
    inbox.audit_received(
        SOURCE, received, {"event": envelope.event, "create_time": envelope.create_time}
    )
    if not received.duplicate:
        jobs.enqueue("process_tiktok_webhook", received.delivery.id)
    return jsonify({"ok": True})


@dataclass(frozen=True)
class TikTokEvent:
    """A TikTok webhook envelope; ``content`` is its (second-level) JSON object."""

    client_key: str
    event: str
    create_time: int | None = None
    user_openid: str = ""
    content: dict[str, Any] = field(default_factory=dict)


def _content(raw: Any) -> dict[str, Any]:
    if raw is None:
        return {}
    content = parse_json(raw, "content") if isinstance(raw, str) else raw
    if not isinstance(content, dict):
        raise Rejected("content must be a JSON object")
    for key in ("publish_id", "post_id"):
        id_field(content, key)
    reason = content.get("reason")  # a code for removals, a text for failed posts
    if not (reason is None or isinstance(reason, str) or id_field(content, "reason")):
        raise Rejected("reason must be text or a number")
    return content


def tiktok_event(body: bytes) -> TikTokEvent:
    """The envelope of a (verified) TikTok body, every field typed, or Rejected."""
    envelope = parse_json(body, "body")
    if not isinstance(envelope, dict):
        raise Rejected("body is not a TikTok event envelope")
    return TikTokEvent(
        client_key=text(envelope, "client_key", MAX_ID),
        event=text(envelope, "event", MAX_EVENT),
        create_time=integer(envelope, "create_time"),
        user_openid=text(envelope, "user_openid", MAX_ID, required=False),
        content=_content(envelope.get("content")),
    )


def parse_signature(header: str) -> tuple[int, str]:
    """``t=<unix>,s=<hex>`` → (t, s)."""
    parts: dict[str, str] = {}
    for item in (header or "").split(","):
        key, sep, value = item.strip().partition("=")
        if sep:
            parts[key.strip()] = value.strip()
    try:
        return int(parts["t"]), parts["s"]
    except (KeyError, ValueError) as exc:
        raise Rejected("missing or malformed TikTok-Signature header") from exc


def verify_tiktok(header: str, body: bytes, now: float | None = None) -> TikTokEvent:
    """Check the signature and timestamp, then return the typed envelope."""
    cfg = current_app.config
    timestamp, signature = parse_signature(header)
    signed = str(timestamp).encode() + b"." + body
    expected = hmac.new(cfg["TIKTOK_CLIENT_SECRET"].encode(), signed, hashlib.sha256).hexdigest()
    # compare_digest refuses non-ASCII text with a TypeError: such a header is simply wrong.
    if not signature.isascii() or not hmac.compare_digest(expected, signature.lower()):
        raise Rejected("signature does not match")
    age = (time.time() if now is None else now) - timestamp
    if abs(age) > int(cfg["TIKTOK_WEBHOOK_TOLERANCE"]):
        raise Rejected(f"timestamp outside the {cfg['TIKTOK_WEBHOOK_TOLERANCE']} s tolerance")
    envelope = tiktok_event(body)
    if envelope.client_key != cfg["TIKTOK_CLIENT_KEY"]:
        raise Rejected("event is for another client_key")
    return envelope


def handle(session: Session, body: bytes) -> str:
    """What one stored (verified) delivery means; unknown events are acknowledged, ignored."""
    envelope = tiktok_event(body)
    event, content = envelope.event, envelope.content
    if event == "authorization.removed":
        return _authorization_removed(session, envelope.user_openid, content)
    if event.startswith("post.publish."):
        publish_id = str(content.get("publish_id") or "")
        if not publish_id:
            return "ignored"
        return events.announce_publish(session, SOURCE, publish_id, event, content)
    return "ignored"


def _authorization_removed(session: Session, open_id: str, content: dict[str, Any]) -> str:
    try:
        reason_code = int(content.get("reason", 0))
    except (TypeError, ValueError):
        reason_code = 0
    reason = f"authorization removed at TikTok: {REMOVAL_REASONS.get(reason_code, 'unknown')}"
    actor = Actor.webhook(SOURCE)
    account = services.grant_removed(session, open_id, reason, actor) if open_id else None
    if account is None:
        return "no_account"
    return events.announce_grant_removed(session, SOURCE, account.id, open_id, actor)
