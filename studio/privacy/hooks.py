"""Webhook endpoints: TikTok events and Meta's data-deletion callback (CSRF-exempt, signed)."""

from __future__ import annotations

from flask import current_app, jsonify, request

from studio import db
from studio.extensions import csrf, limiter
from studio.privacy import bp, events, webhooks
from studio.security import external_url

MAX_BODY = 64 * 1024


def _too_big() -> bool:
    return (request.content_length or 0) > MAX_BODY


@bp.post("/webhooks/tiktok")
@csrf.exempt
@limiter.limit("600 per minute")
def tiktok_webhook():
    if _too_big():
        return jsonify({"error": "body too large"}), 413
    body = request.get_data(cache=False)
    try:
        envelope = webhooks.verify_tiktok(request.headers.get("TikTok-Signature", ""), body)
    except webhooks.Rejected as exc:
        webhooks.audit_rejected("tiktok", str(exc), body)
        return jsonify({"error": "rejected"}), 401
    received = webhooks.store(db.session, "tiktok", str(envelope["event"]), body)
    webhooks.audit_received(
        "tiktok", received, {"event": envelope["event"], "create_time": envelope.get("create_time")}
    )
    if not received.duplicate:
        from studio.privacy.tasks import process_delivery

        process_delivery(received.delivery.id)
    return jsonify({"ok": True})


@bp.post("/webhooks/meta/data-deletion")
@csrf.exempt
@limiter.limit("120 per minute")
def meta_deletion():
    if _too_big():
        return jsonify({"error": "body too large"}), 413
    signed = request.form.get("signed_request", "")
    raw = signed.encode()
    if not current_app.config.get("META_APP_SECRET"):
        return jsonify({"error": "Meta is not configured"}), 404
    try:
        data = webhooks.verify_meta(signed)
    except webhooks.Rejected as exc:
        webhooks.audit_rejected("meta", str(exc), raw)
        return jsonify({"error": "invalid signed_request"}), 400
    received = webhooks.store(db.session, "meta", "data_deletion", raw)
    webhooks.audit_received("meta", received, {"event": "data_deletion"})
    code = events.open_meta_request(db.session, str(data["user_id"]), received)
    return jsonify({"url": external_url("privacy.status", code=code), "confirmation_code": code})
