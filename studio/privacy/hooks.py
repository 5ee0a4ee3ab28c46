"""Webhook endpoints: TikTok events and Meta's data-deletion callback (CSRF-exempt, signed)."""

from __future__ import annotations

from flask import current_app, jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge

from studio import db, errors
from studio.bodies import body_cap
from studio.extensions import csrf, limiter
from studio.privacy import bp, events, webhooks
from studio.security import external_url

MAX_BODY = 64 * 1024
HOOKS = ("privacy.tiktok_webhook", "privacy.meta_deletion")


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(exc: RequestEntityTooLarge):
    if request.endpoint in HOOKS:
        return jsonify({"error": "body too large"}), 413
    return errors.handle_http(exc)


@bp.post("/webhooks/tiktok")
@body_cap(MAX_BODY)
@csrf.exempt
@limiter.limit("600 per minute")
def tiktok_webhook():
    body = request.get_data(cache=False)
    try:
        envelope = webhooks.verify_tiktok(request.headers.get("TikTok-Signature", ""), body)
    except webhooks.Rejected as exc:
        webhooks.audit_rejected("tiktok", str(exc), body)
        return jsonify({"error": "rejected"}), 401
    received = webhooks.store(db.session, "tiktok", envelope.event, body)
    webhooks.audit_received(
        "tiktok", received, {"event": envelope.event, "create_time": envelope.create_time}
    )
    if not received.duplicate:
        from studio.privacy.tasks import process_delivery

        process_delivery(received.delivery.id)
    return jsonify({"ok": True})


@bp.post("/webhooks/meta/data-deletion")
@body_cap(MAX_BODY)
@csrf.exempt
@limiter.limit("120 per minute")
def meta_deletion():
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
    code = events.open_meta_request(db.session, data.user_id, received)
    return jsonify({"url": external_url("privacy.status", code=code), "confirmation_code": code})
