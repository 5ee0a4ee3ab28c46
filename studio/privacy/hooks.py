"""Meta's data-deletion callback (CSRF-exempt, signed), kept in the platforms' inbox."""

from __future__ import annotations

from flask import current_app, jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge

from studio import db, errors
from studio.bodies import body_cap, json_too_large
from studio.extensions import csrf, limiter
from studio.platforms import inbox
from studio.privacy import bp, events, webhooks
from studio.security import external_url

MAX_BODY = 64 * 1024
HOOKS = ("privacy.meta_deletion",)


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(exc: RequestEntityTooLarge):
    if request.endpoint in HOOKS:
        return json_too_large(exc)
    return errors.handle_http(exc)


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
        inbox.audit_rejected("meta", str(exc), raw)
        return jsonify({"error": "invalid signed_request"}), 400
    received = inbox.store(db.session, "meta", "data_deletion", raw)
    inbox.audit_received("meta", received, {"event": "data_deletion"})
    code = events.open_meta_request(db.session, data.user_id, received)
    return jsonify({"url": external_url("privacy.status", code=code), "confirmation_code": code})
