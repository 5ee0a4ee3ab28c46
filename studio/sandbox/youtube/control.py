"""`/_sandbox/youtube/` control and inspection endpoints for tests and demos."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from flask import Blueprint, Response, abort, jsonify, request

from studio.sandbox import holds
from studio.sandbox.youtube import authorize, faults, growth, processing, tokens
from studio.sandbox.youtube.channels import CHANNELS, avatar_svg, by_key
from studio.sandbox.youtube.oauth import youtube_state

bp = Blueprint("yt_control", __name__, url_prefix="/_sandbox/youtube")
FAULT_KEYS = {"fault_rate", "fault_kinds", "slow_seconds", "seed"}


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}


def _bad(message: str) -> tuple[Response, int]:
    return jsonify({"error": message}), 400


@bp.get("/state")
def state_summary() -> Response:
    """Counters, quota, sessions (without their URIs) and videos with bytes and sha256."""
    return jsonify(youtube_state().summary())


@bp.get("/config")
def get_config() -> Response:
    """The current configuration."""
    return jsonify(youtube_state().config.public_dict())


@bp.post("/config")
def set_config() -> Response | tuple[Response, int]:
    """Change configuration keys (unknown keys are refused)."""
    changes = _body()
    changes.pop("outcome_hook", None)
    try:
        youtube_state().configure(**changes)
    except KeyError as exc:
        return _bad(str(exc))
    return jsonify(youtube_state().config.public_dict())


@bp.post("/reset")
def reset() -> Response:
    """Forget tokens, sessions, videos, quota, counters, rules and the clock offset."""
    youtube_state().reset()
    return jsonify({"ok": True})


@bp.post("/faults")
def set_faults() -> Response | tuple[Response, int]:
    """`{fail_next: [{endpoint, kind, count, skip, seconds}], clear, fault_rate, …}`."""
    state, body = youtube_state(), _body()
    if body.get("clear"):
        with state.lock:
            state.fault_rules.clear()
    try:
        state.configure(**{k: v for k, v in body.items() if k in FAULT_KEYS})
        for rule in body.get("fail_next", []):
            faults.add_rule(
                state,
                str(rule["endpoint"]),
                str(rule["kind"]),
                int(rule.get("count", 1)),
                int(rule.get("skip", 0)),
                rule.get("seconds"),
            )
    except (KeyError, ValueError) as exc:
        return _bad(str(exc))
    return jsonify({"fault_rules": state.fault_rules})


@bp.get("/holds")
def held_calls() -> Response:
    """The calls parked right now."""
    return jsonify([held.public() for held in holds.parked(youtube_state())])


@bp.post("/holds")
def arm_hold() -> Response | tuple[Response, int]:
    """`{endpoints: [...], skip: 0}`: park the call after the next `skip` matching ones."""
    endpoints = _body().get("endpoints")
    if not isinstance(endpoints, list) or not all(isinstance(e, str) for e in endpoints):
        return _bad("endpoints must be a list of path prefixes")
    holds.arm(youtube_state(), endpoints, int(_body().get("skip", 0)))
    return jsonify({"ok": True})


@bp.post("/holds/<int:held_id>/release")
def release_hold(held_id: int) -> Response | tuple[Response, int]:
    """Let a parked call go on; `then: "mid_body" | "after"` parks it again there."""
    try:
        released = holds.release(youtube_state(), held_id, _body().get("then"))
    except ValueError as exc:
        return _bad(str(exc))
    return jsonify({"released": released})


@bp.post("/authorize")
def force_authorize() -> Response | tuple[Response, int]:
    """Allow (or `decision: "deny"`) without HTML; the callback URL and its query."""
    raw = _body()
    body = {k: str(v) for k, v in raw.items() if not isinstance(v, list)}
    body.setdefault("response_type", "code")
    state = youtube_state()
    try:
        auth = authorize.parse(state, body)
        if body.get("decision", "allow") != "allow":
            raise authorize.RedirectError("access_denied", "The user denied access.")
        url = authorize.approve(state, auth, body.get("channel", "brand"), raw.get("granted"))
    except authorize.PageError as exc:
        return _bad(str(exc))
    except authorize.RedirectError as exc:
        url = authorize.error_url(body["redirect_uri"], exc.error, body.get("state", ""))
    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    return jsonify({"redirect_url": url, **query})


@bp.post("/advance")
def advance() -> Response | tuple[Response, int]:
    """`{seconds}`: move the sandbox clock (tokens, sessions and the quota day expire)."""
    seconds = _body().get("seconds")
    if not isinstance(seconds, int | float) or seconds < 0:
        return _bad("seconds must be a non-negative number")
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
    body = _body()
    try:
        changed = processing.finish(
            youtube_state(), video_id, str(body.get("outcome")), body.get("reason")
        )
    except ValueError as exc:
        return _bad(str(exc))
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
            state.figures.pin(_body().get("figures") or {})
    except (TypeError, ValueError) as exc:
        return _bad(str(exc))
    return jsonify({"ok": True})


@bp.post("/videos")
def add_videos() -> Response | tuple[Response, int]:
    """`{channel, count, age_days}`: public videos uploaded in YouTube Studio."""
    body = _body()
    channel = by_key(str(body.get("channel", "brand")))
    count = body.get("count", 1)
    if channel is None or not channel.channel_id or not isinstance(count, int):
        return _bad("channel must be a known channel and count an integer")
    if not 1 <= count <= 10_000:
        return _bad("count must be 1 to 10000")
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
