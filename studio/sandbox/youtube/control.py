"""`/_sandbox/youtube/` control and inspection endpoints for tests and demos."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from flask import Blueprint, Response, abort, jsonify

from studio.sandbox import kit
from studio.sandbox.youtube import authorize, faults, processing, tokens
from studio.sandbox.youtube.channels import CHANNELS, avatar_svg, by_key
from studio.sandbox.youtube.oauth import youtube_state

bp = Blueprint("yt_control", __name__, url_prefix="/_sandbox/youtube")
kit.install(bp, kit.Kit(youtube_state, faults.KINDS))


@bp.get("/state")
def state_summary() -> Response:
    """Counters, quota, sessions (without their URIs) and videos with bytes and sha256."""
    return jsonify(youtube_state().summary())


@bp.post("/reset")
def reset() -> Response:
    """Forget tokens, sessions, videos, quota, counters, rules and the clock offset."""
    youtube_state().reset()
    return jsonify({"ok": True})


@bp.post("/authorize")
def force_authorize() -> Response | tuple[Response, int]:
    """Allow (or `decision: "deny"`) without HTML; the callback URL and its query."""
    raw = kit.body()
    body = {k: str(v) for k, v in raw.items() if not isinstance(v, list)}
    body.setdefault("response_type", "code")
    state = youtube_state()
    try:
        auth = authorize.parse(state, body)
        if body.get("decision", "allow") != "allow":
            raise authorize.RedirectError("access_denied", "The user denied access.")
        url = authorize.approve(state, auth, body.get("channel", "brand"), raw.get("granted"))
    except authorize.PageError as exc:
        return kit.bad(str(exc))
    except authorize.RedirectError as exc:
        url = authorize.error_url(body["redirect_uri"], exc.error, body.get("state", ""))
    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    return jsonify({"redirect_url": url, **query})


@bp.post("/advance")
def advance() -> Response | tuple[Response, int]:
    """`{seconds}`: move the sandbox clock (tokens, sessions and the quota day expire)."""
    seconds = kit.body().get("seconds")
    if not isinstance(seconds, int | float) or seconds < 0:
        return kit.bad("seconds must be a non-negative number")
    youtube_state().advance(float(seconds))
    return jsonify({"offset": youtube_state().offset})


@bp.post("/expire_tokens")
def expire_tokens() -> Response:
    """Every access token issued so far expires now (refresh tokens live on)."""
    return jsonify({"expired": tokens.expire_access_tokens(youtube_state())})


@bp.post("/sessions/expire")
def expire_sessions() -> Response:
    """Every open upload session expires now (next call: 404 or 410)."""
    state = youtube_state()
    with state.lock:
        open_sessions = [s for s in state.sessions.values() if s.video_id is None]
        for session in open_sessions:
            session.expires_at = state.now() - 1
    return jsonify({"expired": len(open_sessions)})


@bp.post("/videos/<video_id>/finish")
def finish_video(video_id: str) -> Response | tuple[Response, int]:
    """`{outcome, reason}`: end processing now (processed, failed or rejected)."""
    body = kit.body()
    try:
        changed = processing.finish(
            youtube_state(), video_id, str(body.get("outcome")), body.get("reason")
        )
    except ValueError as exc:
        return kit.bad(str(exc))
    return jsonify({"changed": changed})


@bp.get("/channels")
def channels() -> Response:
    """The demo Google accounts and their channels."""
    return jsonify(
        [
            {"key": c.key, "channel_id": c.channel_id, "title": c.title, "handle": c.handle}
            for c in CHANNELS
        ]
    )


@bp.get("/avatar/<key>.svg")
def avatar(key: str) -> Response:
    """A small SVG avatar."""
    channel = by_key(key)
    if channel is None:
        abort(404)
    return Response(avatar_svg(channel), mimetype="image/svg+xml")
