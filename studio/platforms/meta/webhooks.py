"""Meta's Deauthorize callback: verify `signed_request`, keep the delivery, end the grants.

`POST /webhooks/meta/deauthorize` is registered in Meta's app dashboard: it never moves. Meta
calls it when a person removes the app in their Facebook settings; the tokens already fail
(190/458), so nothing is sent to Meta: the person's login and the accounts chosen through it
are disconnected and their tokens erased. docs/platforms/meta.md, Deauthorize callback.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request
from sqlalchemy.orm import Session
from werkzeug.exceptions import RequestEntityTooLarge

from studio import db, jobs
from studio.audit import Actor
from studio.bodies import body_cap, json_too_large
from studio.extensions import csrf, limiter
from studio.platforms import inbox
from studio.platforms.meta import services
from studio.platforms.meta.signed import Rejected, SignedRequest, verify_signed_request

MAX_BODY = 64 * 1024
SOURCE = "meta"
EVENT = "deauthorize"
# Stored bodies name their event: a deauthorize and a deletion request Meta signs for the
# same person in the same second carry the same signed_request, and must not be taken for
# repeats of each other.
PREFIX = b"deauthorize:"

hooks_bp = Blueprint("meta_hooks", __name__)
hooks_bp.register_error_handler(RequestEntityTooLarge, json_too_large)


@hooks_bp.post("/webhooks/meta/deauthorize")
@body_cap(MAX_BODY)
@csrf.exempt
@limiter.limit("120 per minute")
def deauthorize():
    signed = request.form.get("signed_request", "")
    body = PREFIX + signed.encode()
    try:
        verify(signed)
    except Rejected as exc:
        inbox.audit_rejected(SOURCE, str(exc), body)
        return jsonify({"error": "invalid signed_request"}), 400
    received = inbox.store(db.session, SOURCE, EVENT, body)
    inbox.audit_received(SOURCE, received, {"event": EVENT})
    if not received.duplicate:
        jobs.enqueue("process_meta_deauthorize", received.delivery.id)
    return jsonify({"ok": True})


def verify(signed_request: str) -> SignedRequest:
    """The verified payload, within the replay window (as long as delivery digests are kept)."""
    cfg = current_app.config
    window = int(cfg["WEBHOOK_RETENTION_DAYS"]) * 86400
    return verify_signed_request(signed_request, cfg.get("META_APP_SECRET") or "", window)


def handle(session: Session, body: bytes) -> str:
    """What one stored (verified) deauthorize delivery does: the person's grants end here."""
    data = verify(body.removeprefix(PREFIX).decode())
    reason = "the app was removed in the person's Facebook settings (Meta's deauthorize callback)"
    ended = services.grant_removed(session, data.user_id, reason, Actor.webhook(SOURCE))
    return "disconnected" if ended else "no_account"
