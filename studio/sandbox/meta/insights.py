"""Recent media and insights: /{ig}/media, /{media}/insights, /{page}/video_reels, video_insights.

Strict like Graph: an unknown or removed metric (plays, impressions, or one a test retired:
`retired_metrics`) is code 100 and rejects the whole call; a media
younger than the configured lag answers `{"data": []}` (Meta's insights lag up to 48 h).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, jsonify, request

from studio.sandbox.meta import errors, growth
from studio.sandbox.meta.access import managed_ig, managed_page
from studio.sandbox.meta.auth import authenticate, meta_state, require
from studio.sandbox.meta.errors import GraphError, unknown_object
from studio.sandbox.meta.growth import Media

bp = Blueprint("meta_insights", __name__, url_prefix="/meta/graph")
errors.install(bp)
MAX_LIMIT = 100


def _stamp(when: float) -> str:
    return datetime.fromtimestamp(when, UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def _limit() -> int:
    raw = request.args.get("limit", "25")
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise GraphError(100, f"(#100) limit must be 1 to {MAX_LIMIT}.")
    return int(raw)


def _metrics(documented: frozenset[str]) -> list[str]:
    names = [m.strip() for m in request.args.get("metric", "").split(",") if m.strip()]
    if not names:
        raise GraphError(100, "(#100) The parameter metric is required")
    known = documented - set(meta_state().config.retired_metrics)
    for index, name in enumerate(names):
        if name not in known:
            raise GraphError(
                100,
                f"(#100) metric[{index}] must be one of the following values: "
                + ", ".join(sorted(known)),
            )
    return names


def ig_media(ig_id: str) -> list[Media]:
    """An IG account's media, newest first: published through the API and outside it."""
    state = meta_state()
    with state.lock:
        mine = [
            Media(r["media_id"], ig_id, "ig", r["at"], str(r["params"].get("caption", "")))
            for r in state.ig_published
            if r["ig_id"] == ig_id
        ]
        mine += [m for m in state.outside if m.kind == "ig" and m.owner == ig_id]
    return sorted(mine, key=lambda m: (m.at, m.id), reverse=True)


def _find(media_id: str) -> Media | None:
    state = meta_state()
    with state.lock:
        for record in state.ig_published:
            if record["media_id"] == media_id:
                return Media(media_id, record["ig_id"], "ig", record["at"], "")
        video = state.videos.get(media_id)
        if video is not None and video.published_at is not None:
            return Media(video.id, video.page_id, "page", video.published_at, "")
        return next((m for m in state.outside if m.id == media_id), None)


def _answer(media: Media, values: dict[str, Any], edge: str) -> Response:
    data = [
        {
            "name": name,
            "period": "lifetime",
            "values": [{"value": value}],
            "title": name.replace("_", " ").capitalize(),
            "id": f"{media.id}/{edge}/{name}/lifetime",
        }
        for name, value in values.items()
    ]
    return jsonify({"data": data})


def _figures(media: Media) -> dict[str, int | None] | None:
    """The media's figures now, or None while it is younger than the insights lag."""
    state = meta_state()
    now = time.time()
    if now - media.at < state.config.insights_lag:
        return None
    with state.lock:
        return growth.video_figures(state, media.id, media.at, now)


@bp.get("/<version>/<ig_id>/media")
def media_list(version: str, ig_id: str) -> Response:
    """The IG account's media, newest first (id, media_type, caption, timestamp, …)."""
    token = authenticate("instagram", ig_id)
    managed_ig(token, ig_id)
    require(token, "instagram_basic")
    data = [
        {
            "id": m.id,
            "media_type": "VIDEO",
            "media_product_type": "REELS",
            "caption": m.caption,
            "timestamp": _stamp(m.at),
        }
        for m in ig_media(ig_id)[: _limit()]
    ]
    return jsonify({"data": data, "paging": {"cursors": {"before": "QVFI", "after": "QVFJ"}}})


@bp.get("/<version>/<media_id>/insights")
def media_insights(version: str, media_id: str) -> Response:
    """Lifetime insights of an IG media (needs instagram_manage_insights)."""
    return _insights(media_id, "ig", "insights")


@bp.get("/<version>/<page_id>/video_reels")
def reels_list(version: str, page_id: str) -> Response:
    """The Page's published Reels, newest first (id, description, created_time)."""
    token = authenticate("pages", page_id)
    managed_page(token, page_id)
    require(token, "pages_read_engagement")
    state = meta_state()
    with state.lock:
        reels = growth.page_reels(state.videos, state.outside, page_id)
    data = [
        {"id": m.id, "description": m.caption, "created_time": _stamp(m.at)}
        for m in reels[: _limit()]
    ]
    return jsonify({"data": data, "paging": {"cursors": {"before": "QVFI", "after": "QVFJ"}}})


@bp.get("/<version>/<video_id>/video_insights")
def video_insights(version: str, video_id: str) -> Response:
    """Lifetime insights of a Page Reel (needs read_insights and pages_read_engagement)."""
    return _insights(video_id, "page", "video_insights")


def _insights(media_id: str, kind: str, edge: str) -> Response:
    """Authenticate on the owner's bucket, check access and permissions, answer the metrics."""
    media = _find(media_id)
    if media is None or media.kind != kind:
        authenticate()
        raise unknown_object(media_id)
    if kind == "ig":
        token = authenticate("instagram", media.owner)
        managed_ig(token, media.owner)
        require(token, "instagram_basic", "instagram_manage_insights")
        wanted = _metrics(growth.IG_METRICS)
        return _answer(media, growth.ig_values(_figures(media) or {}, wanted), edge)
    token = authenticate("pages", media.owner)
    managed_page(token, media.owner)
    require(token, "pages_read_engagement", "read_insights")
    wanted = _metrics(growth.REEL_METRICS)
    return _answer(media, growth.reel_values(_figures(media) or {}, wanted), edge)
