"""`/_sandbox/youtube/` control and inspection endpoints for tests and demos."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from flask import Blueprint, Response, abort, jsonify

from studio.sandbox import kit
from studio.sandbox.youtube import authorize, faults, growth, processing, tokens
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


@bp.get("/metrics")
def metrics() -> Response:
    """Every video's statistics now (what videos.list would answer)."""
    state = youtube_state()
    with state.lock:
        found = {
            v.id: {"channel": v.channel, **growth.video_statistics(state, v)}
            for v in state.videos.values()
        }
    return jsonify({"videos": found})


@bp.post("/metrics")
def set_metrics() -> Response | tuple[Response, int]:
    """`{figures: {"video:<id>" | "channel:<key>": {views|likes|comments|followers: n|null}}}`."""
    state = youtube_state()
    try:
        with state.lock:
            state.figures.pin(kit.body().get("figures") or {})
    except (TypeError, ValueError) as exc:
        return kit.bad(str(exc))
    return jsonify({"ok": True})


@bp.post("/videos")
def add_videos() -> Response | tuple[Response, int]:
    """`{channel, count, age_days}`: public videos uploaded in YouTube Studio."""
    body = kit.body()
    channel = by_key(str(body.get("channel", "brand")))
    count = body.get("count", 1)
    if channel is None or not channel.channel_id or not isinstance(count, int):
        return kit.bad("channel must be a known channel and count an integer")
    if not 1 <= count <= 10_000:
        return kit.bad("count must be 1 to 10000")
    state = youtube_state()
    when = state.now() - float(body.get("age_days", 1)) * 86_400
    with state.lock:
        start = len(state.videos)
        ids = [f"v{start + n:010d}" for n in range(count)]
        for n, video_id in enumerate(ids):
            growth.make_video(state, channel.key, video_id, when + n, f"Video {start + n}")
    return jsonify({"ids": ids})


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
