"""Facebook Page Reels: POST /{page-id}/video_reels, upload_phase start and finish."""

from __future__ import annotations

import time

from flask import Blueprint, Response, jsonify

from studio.sandbox.meta import errors, lifecycle
from studio.sandbox.meta.access import PAGE_REELS_SCOPES, managed_page
from studio.sandbox.meta.auth import authenticate, base_url, meta_state, require
from studio.sandbox.meta.errors import GraphError
from studio.sandbox.meta.graph import graph_args
from studio.sandbox.meta.models import Video

bp = Blueprint("meta_reels", __name__, url_prefix="/meta/graph")
errors.install(bp)
STATES = ("PUBLISHED", "DRAFT", "SCHEDULED")
MIN_SCHEDULE, MAX_SCHEDULE = 600, 30 * 86_400


@bp.post("/<version>/<page_id>/video_reels")
def video_reels(version: str, page_id: str) -> Response:
    """start → {video_id, upload_url}; finish (video_state, description) → {success}."""
    token = authenticate("pages", page_id)
    if token.kind != "page":
        raise GraphError(200, "(#200) This call needs the Page access token (from /me/accounts).")
    managed_page(token, page_id)
    require(token, *PAGE_REELS_SCOPES)
    args = graph_args()
    phase = args.get("upload_phase")
    if phase == "start":
        return _start(version, page_id)
    if phase == "finish":
        return _finish(page_id, args)
    raise GraphError(100, "(#100) upload_phase must be start or finish.")


def _start(version: str, page_id: str) -> Response:
    state = meta_state()
    video = Video(state.new_id("12"), page_id, time.time())
    with state.lock:
        state.videos[video.id] = video
        state.counters["videos"] += 1
    url = f"{base_url()}/meta/rupload/video-upload/{version}/{video.id}"
    return jsonify({"video_id": video.id, "upload_url": url})


def _finish(page_id: str, args: dict[str, str]) -> Response:
    state = meta_state()
    video_state = args.get("video_state", "")
    if video_state not in STATES:
        raise GraphError(100, "(#100) video_state must be PUBLISHED, DRAFT or SCHEDULED.")
    if video_state == "SCHEDULED":
        when = args.get("scheduled_publish_time", "")
        ahead = int(when) - time.time() if when.isdigit() else -1
        if not MIN_SCHEDULE <= ahead <= MAX_SCHEDULE:
            raise GraphError(100, "(#100) scheduled_publish_time must be 10 min to 30 days ahead.")
    with state.lock:
        video = state.videos.get(args.get("video_id", ""))
        if video is None or video.page_id != page_id:
            raise GraphError(100, "(#100) Unknown video_id.", subcode=33)
        if video.video_state is not None:
            raise GraphError(100, "(#100) This video was already finished; it is never sent twice.")
        if not video.transfer.complete:
            raise GraphError(6000, "There was a problem uploading your video: it is incomplete.")
        if video_state == "PUBLISHED":
            used = state.published_since(state.reels_published, "page_id", page_id)
            if used >= state.config.page_reels_limit:
                raise GraphError(
                    9, "This Page reached its limit of 30 API-published Reels in 24 hours."
                )
            state.reels_published.append(
                {
                    "page_id": page_id,
                    "at": time.time(),
                    "video_id": video.id,
                    "sha256": video.transfer.hasher.hexdigest(),
                    "bytes": video.transfer.offset,
                }
            )
            state.counters["reels_published"] += 1
        video.video_state = video_state
        video.params = {k: args[k] for k in ("description", "title") if k in args}
    lifecycle.video_finished(state, video)
    return jsonify({"success": True})
