"""`/_sandbox/` control and inspection endpoints for tests and demos in other processes."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from flask import Blueprint, Response, abort, jsonify

from studio.sandbox import authorize, faults, kit, lifecycle, tokens, videos
from studio.sandbox.api import sandbox_state
from studio.sandbox.creators import CREATORS, avatar_svg, by_id

bp = Blueprint("control", __name__, url_prefix="/_sandbox")
FAULT_KEYS = kit.FAULT_KEYS | {"access_token_max_age"}
kit.install(bp, kit.Kit(sandbox_state, faults.KINDS, FAULT_KEYS))


@bp.get("/state")
def state_summary() -> Response:
    """Counters, uploads with byte counts and sha256, and every publish's status."""
    return jsonify(sandbox_state().summary())


@bp.post("/webhook")
def trigger_webhook() -> Response | tuple[Response, int]:
    """Send `{event, open_id, content}`; `wait: true` delivers before answering."""
    body = kit.body()
    if not isinstance(body.get("event"), str) or not isinstance(body.get("open_id"), str):
        return kit.bad("event and open_id are required")
    record = sandbox_state().send_webhook(
        body["event"], body["open_id"], body.get("content") or {}, bool(body.get("wait"))
    )
    return jsonify(record)


@bp.post("/reset")
def reset() -> Response:
    """Forget all tokens, publishes, counters and fault rules."""
    sandbox_state().reset()
    return jsonify({"ok": True})


@bp.post("/authorize")
def force_authorize() -> Response | tuple[Response, int]:
    """Approve (or `decision: "deny"`) without HTML; returns the callback URL and its query."""
    body = {k: str(v) for k, v in kit.body().items() if not isinstance(v, list)}
    body.setdefault("response_type", "code")
    granted = kit.body().get("granted")
    try:
        auth = authorize.parse(sandbox_state(), body)
        if body.get("decision", "approve") != "approve":
            raise authorize.RedirectError("access_denied", "The user denied the authorization.")
        url = authorize.approve(sandbox_state(), auth, body.get("creator", "acme"), granted)
    except authorize.PageError as exc:
        return kit.bad(str(exc))
    except authorize.RedirectError as exc:
        url = authorize.error_url(
            body["redirect_uri"], exc.error, exc.description, body.get("state", "")
        )
    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    return jsonify({"redirect_url": url, **query})


@bp.post("/publish/<publish_id>/complete")
def complete_publish(publish_id: str) -> Response:
    """Pretend the user posted the inbox draft (PUBLISH_COMPLETE)."""
    return jsonify({"changed": lifecycle.complete(sandbox_state(), publish_id)})


@bp.post("/publish/<publish_id>/fail")
def fail_publish(publish_id: str) -> Response:
    """Force a publish to FAILED with `reason` (default `internal`)."""
    reason = str(kit.body().get("reason", "internal"))
    return jsonify({"changed": lifecycle.fail(sandbox_state(), publish_id, reason)})


@bp.post("/publish/<publish_id>/expire_upload")
def expire_upload(publish_id: str) -> Response:
    """Make the publish's upload_url expired now (next PUT gets 403)."""
    state = sandbox_state()
    with state.lock:
        uploads = [u for u in state.uploads.values() if u.publish_id == publish_id]
        for upload in uploads:
            upload.expires_at = 0.0
    return jsonify({"changed": bool(uploads)})


@bp.post("/expire_tokens")
def expire_tokens() -> Response:
    """TikTok ends every access token issued so far, early; later ones live their full TTL."""
    return jsonify({"expired": tokens.expire_access_tokens(sandbox_state())})


@bp.post("/deauthorize")
def deauthorize() -> Response | tuple[Response, int]:
    """The user removes the app in TikTok: `{open_id, reason=1}`; revokes and notifies."""
    body = kit.body()
    if not isinstance(body.get("open_id"), str):
        return kit.bad("open_id is required")
    revoked = tokens.remove_user(sandbox_state(), body["open_id"], int(body.get("reason", 1)))
    return jsonify({"revoked_grants": revoked})


@bp.get("/metrics")
def metrics() -> Response:
    """Every video with its owner and figures now (what video/query would answer)."""
    state = sandbox_state()
    with state.lock:
        found = {
            v.id: {"open_id": v.open_id, "title": v.title, **videos.figures_of(state, v)}
            for v in state.videos.values()
        }
        return jsonify({"videos": found, "advanced_days": state.figures.offset / 86_400})


@bp.post("/metrics")
def set_metrics() -> Response | tuple[Response, int]:
    """`{advance_days, figures: {"video:<id>" | "user:<open_id>": {field: int | null}}}`."""
    state = sandbox_state()
    body = kit.body()
    try:
        with state.lock:
            state.figures.pin(body.get("figures") or {})
            state.figures.offset += float(body.get("advance_days") or 0) * 86_400
    except (TypeError, ValueError) as exc:
        return kit.bad(str(exc))
    return jsonify({"ok": True})


@bp.post("/videos")
def add_videos() -> Response | tuple[Response, int]:
    """`{creator, count, age_days}`: public videos posted from the TikTok app."""
    body = kit.body()
    creator = by_id(str(body.get("creator", "acme")))
    count = body.get("count", 1)
    if creator is None or not isinstance(count, int) or not 1 <= count <= 10_000:
        return kit.bad("creator must be known and count 1 to 10000")
    ids = videos.add_videos(sandbox_state(), creator, count, float(body.get("age_days", 1)))
    return jsonify({"ids": ids})


@bp.get("/creators")
def creators() -> Response:
    """The fake creators one can log in as."""
    return jsonify(
        [
            {
                "id": c.id,
                "open_id": c.open_id,
                "username": c.username,
                "display_name": c.display_name,
                "private": c.private,
                "privacy_level_options": c.privacy_level_options,
            }
            for c in CREATORS
        ]
    )


@bp.get("/avatar/<creator_id>.svg")
def avatar(creator_id: str) -> Response:
    """A small SVG avatar."""
    creator = by_id(creator_id)
    if creator is None:
        abort(404)
    return Response(avatar_svg(creator), mimetype="image/svg+xml")
