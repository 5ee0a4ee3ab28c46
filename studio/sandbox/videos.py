"""Display API: video/list and video/query (scope video.list: the creator's public videos).

Each answer carries the figures as they have grown (studio/sandbox/figures.py); a figure a
test set to None is left out, as TikTok does while it has no count yet.
"""

from __future__ import annotations

import time
from typing import Any

from flask import Blueprint, Response, request

from studio.sandbox.api import guard, sandbox_state
from studio.sandbox.creators import Creator
from studio.sandbox.errors import ApiError, api_response
from studio.sandbox.figures import DAY, VIDEO_RATES
from studio.sandbox.models import Video
from studio.sandbox.state import SandboxState

bp = Blueprint("videos", __name__)
SCOPES = ("video.list",)
MAX_IDS = 20
MAX_COUNT = 20
FIELDS = {
    "id", "create_time", "cover_image_url", "share_url", "video_description", "duration",
    "height", "width", "title", "embed_html", "embed_link", "like_count", "comment_count",
    "share_count", "view_count",
}  # fmt: skip
COUNTS = {"view_count": "views", "like_count": "likes", "comment_count": "comments"}
COUNTS["share_count"] = "shares"


def add_videos(state: SandboxState, creator: Creator, count: int, age_days: float) -> list[str]:
    """Publish `count` public videos for a creator now-ish (tests and the bench)."""
    now = time.time()
    ids = []
    with state.lock:
        start = len(state.videos)
        for n in range(count):
            video_id = str(6_000_000_000_000_000_000 + start + n)
            made = now - age_days * DAY + n * 0.001
            state.videos[video_id] = Video(video_id, creator.open_id, made, f"Video {start + n}")
            ids.append(video_id)
    return ids


def figures_of(state: SandboxState, video: Video) -> dict[str, int | None]:
    """A video's counts now, in TikTok's field names (lock held)."""
    grown = state.figures.grown(f"video:{video.id}", video.created_at, time.time(), VIDEO_RATES, {})
    return {api: grown.get(ours) for api, ours in COUNTS.items()}


def _fields() -> list[str]:
    fields = [f.strip() for f in request.args.get("fields", "").split(",") if f.strip()]
    if not fields or any(f not in FIELDS for f in fields):
        raise ApiError("invalid_params", "fields is missing or contains an unknown field.", 400)
    return fields


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if request.mimetype != "application/json" or not isinstance(body, dict):
        raise ApiError("invalid_params", "The body must be a JSON object.", 400)
    return body


def _render(state: SandboxState, video: Video, fields: list[str]) -> dict[str, Any]:
    counts = figures_of(state, video)
    values: dict[str, Any] = {
        "id": video.id,
        "create_time": int(video.created_at),
        "title": video.title,
        "video_description": video.title,
        "duration": 15,
        "share_url": f"https://www.tiktok.com/@sandbox/video/{video.id}",
        **counts,
    }
    return {f: values[f] for f in fields if values.get(f) is not None}


@bp.post("/v2/video/query/")
def query() -> Response:
    """`{"filters": {"video_ids": [...]}}`: up to 20 of the creator's own videos."""
    state = sandbox_state()
    grant = guard(SCOPES, "video_query", state.config.rate_limit_video_query)
    fields = _fields()
    filters = _body().get("filters")
    ids = filters.get("video_ids") if isinstance(filters, dict) else None
    if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
        raise ApiError("invalid_params", "filters.video_ids must list video ids.", 400)
    if len(ids) > MAX_IDS:
        raise ApiError("invalid_params", f"At most {MAX_IDS} video ids per request.", 400)
    with state.lock:
        state.counters["video_query"] += 1
        found = [state.videos.get(i) for i in dict.fromkeys(ids)]
        videos = [_render(state, v, fields) for v in found if v and v.open_id == grant.open_id]
    return api_response({"videos": videos, "cursor": 0, "has_more": False})


@bp.post("/v2/video/list/")
def list_videos() -> Response:
    """`{"max_count": 20, "cursor": ms}`: the creator's videos, newest first, before cursor."""
    state = sandbox_state()
    grant = guard(SCOPES, "video_list", state.config.rate_limit_video_list)
    fields = _fields()
    body = _body()
    count = body.get("max_count", 10)
    cursor = body.get("cursor")
    if not isinstance(count, int) or not 1 <= count <= MAX_COUNT:
        raise ApiError("invalid_params", f"max_count must be 1 to {MAX_COUNT}.", 400)
    if cursor is not None and not isinstance(cursor, int):
        raise ApiError("invalid_params", "cursor must be a timestamp in milliseconds.", 400)
    with state.lock:
        state.counters["video_list"] += 1
        mine = sorted(
            (v for v in state.videos.values() if v.open_id == grant.open_id),
            key=lambda v: v.created_at,
            reverse=True,
        )
        if cursor is not None:
            mine = [v for v in mine if v.created_at * 1000 < cursor]
        page = mine[:count]
        videos = [_render(state, v, fields) for v in page]
    next_cursor = int(page[-1].created_at * 1000) if page else 0
    return api_response({"videos": videos, "cursor": next_cursor, "has_more": len(mine) > count})
