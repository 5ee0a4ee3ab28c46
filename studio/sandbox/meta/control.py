"""`/_sandbox/meta/` control and inspection endpoints (never faulted)."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

from flask import Blueprint, Response, jsonify

from studio.sandbox import kit
from studio.sandbox.meta import callbacks, dialog, growth, hooks, lifecycle, tokens
from studio.sandbox.meta.auth import meta_state
from studio.sandbox.meta.people import PEOPLE, person

bp = Blueprint("meta_control", __name__, url_prefix="/_sandbox/meta")
kit.install(bp, kit.Kit(meta_state, hooks.KINDS))


@bp.get("/state")
def state_summary() -> Response:
    """Counters, grants, containers, videos, uploads (bytes, sha256), publishes, callbacks."""
    return jsonify(meta_state().summary())


@bp.post("/reset")
def reset() -> Response:
    """Forget grants, tokens, media, counters, callbacks and fault rules."""
    meta_state().reset()
    return jsonify({"ok": True})


@bp.post("/authorize")
def authorize() -> Response | tuple[Response, int]:
    """The login dialog without HTML: `{person, scope | config_id, redirect_uri, state, …}`."""
    state = meta_state()
    body = kit.body()
    args = {k: str(v) for k, v in body.items() if isinstance(v, str | int)}
    args.setdefault("client_id", state.config.app_id)
    version = args.pop("version", state.config.versions[0])
    try:
        login = dialog.parse(state, version, args)
        allow = body.get("decision", "allow") == "allow"
        url = dialog.decide(state, login, args.get("person", "dana"), allow, body.get("granted"))
    except dialog.DialogError as exc:
        return kit.bad(str(exc))
    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    return jsonify({"redirect_url": url, **query})


@bp.post("/expire_tokens")
def expire_tokens() -> Response:
    """Every token issued so far expires now (190/463 on next use)."""
    return jsonify({"expired": tokens.expire_all(meta_state())})


@bp.post("/deauthorize")
def deauthorize() -> Response | tuple[Response, int]:
    """`{person}` removes the app in Facebook: tokens die, the signed callback is sent."""
    who = person(str(kit.body().get("person", "")))
    if who is None:
        return kit.bad("unknown person")
    state = meta_state()
    grant = tokens.grant_of(state, who.key)
    if grant is not None:
        tokens.revoke_grant(state, grant.id)
    return jsonify(callbacks.send(state, "deauthorize", who.user_id))


@bp.post("/data_deletion")
def data_deletion() -> Response | tuple[Response, int]:
    """`{person, remove?}` asks for deletion (and, with remove, removes the app first)."""
    body = kit.body()
    who = person(str(body.get("person", "")))
    if who is None:
        return kit.bad("unknown person")
    state = meta_state()
    grant = tokens.grant_of(state, who.key)
    if body.get("remove") and grant is not None:
        tokens.revoke_grant(state, grant.id)
    return jsonify(callbacks.send(state, "data_deletion", who.user_id))


@bp.post("/callbacks/<int:index>/replay")
def replay(index: int) -> Response | tuple[Response, int]:
    """Deliver a recorded signed_request again, byte for byte."""
    state = meta_state()
    if not 0 <= index < len(state.callbacks):
        return kit.bad("no such callback", 404)
    return jsonify(callbacks.replay(state, index))


@bp.post("/containers/<container_id>/fail")
def fail_container(container_id: str) -> Response:
    """The container goes ERROR with `subcode` (default 2207026: unsupported video)."""
    subcode = int(kit.body().get("subcode", 2207026))
    return jsonify({"changed": lifecycle.fail_container(meta_state(), container_id, subcode)})


@bp.post("/containers/<container_id>/expire")
def expire_container(container_id: str) -> Response:
    """The container is older than its TTL now (EXPIRED unless PUBLISHED)."""
    return jsonify({"changed": lifecycle.expire_container(meta_state(), container_id)})


@bp.post("/videos/<video_id>/fail")
def fail_video(video_id: str) -> Response:
    """The Page Reel's processing fails with `message`."""
    message = str(kit.body().get("message", "The video does not meet the Reels specifications."))
    return jsonify({"changed": lifecycle.fail_video(meta_state(), video_id, message)})


@bp.get("/people")
def people() -> Response:
    """The demo people, their Pages and linked IG professional accounts."""
    return jsonify(
        [
            {
                "key": p.key,
                "user_id": p.user_id,
                "name": p.name,
                "pages": [
                    {"id": pg.id, "name": pg.name, "ig": pg.ig.__dict__ if pg.ig else None}
                    for pg in p.pages
                ],
            }
            for p in PEOPLE
        ]
    )


@bp.get("/metrics")
def metrics() -> Response:
    """Every published media's figures now, and the insights lag."""
    state = meta_state()
    now = time.time()
    with state.lock:
        media = [(m.id, m.at) for m in state.outside]
        media += [(r["media_id"], r["at"]) for r in state.ig_published]
        media += [(v.id, v.published_at) for v in state.videos.values() if v.published_at]
        found = {i: growth.video_figures(state, i, at, now) for i, at in media}
    return jsonify({"media": found, "lag_seconds": state.config.insights_lag})


@bp.post("/metrics")
def set_metrics() -> Response | tuple[Response, int]:
    """`{figures: {"media:<id>" | "ig:<id>" | "page:<id>": {views|…|followers: n|null}},
    lag_seconds}`: pin figures (null: not available) and set the insights lag."""
    state = meta_state()
    body = kit.body()
    try:
        lag = float(body.get("lag_seconds", state.config.insights_lag))
        with state.lock:
            state.figures.pin(body.get("figures") or {})
            state.config.insights_lag = max(0.0, lag)
    except (TypeError, ValueError) as exc:
        return kit.bad(str(exc))
    return jsonify({"ok": True})


@bp.post("/videos")
def add_videos() -> Response | tuple[Response, int]:
    """`{owner, count, age_days}`: videos an IG account or a Page posted in Meta's apps."""
    body = kit.body()
    count = body.get("count", 1)
    if not isinstance(count, int) or not 1 <= count <= 10_000:
        return kit.bad("count must be 1 to 10000")
    state = meta_state()
    with state.lock:
        ids = growth.add_outside(state, str(body.get("owner", "")), count,
                                 float(body.get("age_days", 30)))  # fmt: skip
    return jsonify({"ids": ids}) if ids else kit.bad("owner must be a demo Page or IG account")
