"""Instagram Reels: containers, media_publish and content_publishing_limit."""

from __future__ import annotations

import threading
import time
from typing import Any

from flask import Blueprint, Response, jsonify, request

from studio.sandbox.meta import errors, lifecycle
from studio.sandbox.meta.access import IG_SCOPES, managed_ig
from studio.sandbox.meta.auth import authenticate, base_url, fields, meta_state, pick, require
from studio.sandbox.meta.errors import GraphError
from studio.sandbox.meta.graph import graph_args
from studio.sandbox.meta.models import Container

bp = Blueprint("meta_instagram", __name__, url_prefix="/meta/graph")
errors.install(bp)
REELS_PARAMS = {
    "media_type",
    "upload_type",
    "video_url",
    "caption",
    "share_to_feed",
    "is_ai_generated",
    "is_carousel_item",
    "collaborators",
    "cover_url",
    "thumb_offset",
    "audio_name",
    "location_id",
    "user_tags",
}
MAX_CAPTION = 2200


def _bool(args: dict[str, str], name: str) -> bool | None:
    """A strict boolean parameter (`true` / `false`)."""
    if name not in args:
        return None
    value = str(args[name]).lower()
    if value not in ("true", "false"):
        raise GraphError(100, f"(#100) Param {name} must be a boolean (true or false).")
    return value == "true"


def _ig_call(ig_id: str) -> Any:
    """Authenticate (BUC `instagram` limits), check the account and the permissions."""
    token = authenticate("instagram", ig_id)
    managed_ig(token, ig_id)
    require(token, *IG_SCOPES)
    return token


@bp.post("/<version>/<ig_id>/media")
def create_container(version: str, ig_id: str) -> Response:
    """media_type=REELS with upload_type=resumable (→ rupload uri) or video_url (pulled)."""
    token = _ig_call(ig_id)
    state = meta_state()
    args = graph_args()
    unknown = sorted(set(args) - REELS_PARAMS)
    if unknown:
        raise GraphError(100, f"(#100) Unsupported parameter: {unknown[0]}")
    media_type = args.get("media_type", "")
    carousel_item = _bool(args, "is_carousel_item")
    if media_type == "VIDEO" and not carousel_item:
        raise GraphError(
            100,
            "The media_type VIDEO is only for carousel items; publish a video as REELS.",
            subcode=2207023,
        )
    if media_type not in ("REELS", "VIDEO"):
        raise GraphError(
            100, f"The media type {media_type or '(none)'} is not supported here.", subcode=2207023
        )
    resumable = args.get("upload_type") == "resumable"
    if "upload_type" in args and not resumable:
        raise GraphError(100, "(#100) upload_type must be resumable.")
    if resumable == ("video_url" in args):
        raise GraphError(100, "(#100) Send either upload_type=resumable or video_url.")
    if len(args.get("caption", "")) > MAX_CAPTION:
        raise GraphError(100, "(#100) The caption is longer than 2200 characters.")
    kept: dict[str, Any] = {k: v for k, v in args.items() if k not in ("video_url",)}
    for name in ("share_to_feed", "is_ai_generated"):
        value = _bool(args, name)
        if value is not None:
            kept[name] = value
    video_url = args.get("video_url")
    if video_url is not None:
        ok = video_url.startswith("https://") or (
            state.config.allow_http_pull and video_url.startswith("http://")
        )
        if not ok:
            raise GraphError(100, "(#100) video_url must be a public https URL.", subcode=2207052)
    container = Container(
        state.new_id("179"), ig_id, token.grant_id, media_type, kept, time.time(), resumable
    )
    with state.lock:
        state.containers[container.id] = container
        state.counters["containers"] += 1
    body: dict[str, Any] = {"id": container.id}
    if resumable:
        body["uri"] = f"{base_url()}/meta/rupload/ig-api-upload/{version}/{container.id}"
    else:
        threading.Thread(
            target=lifecycle.pull, args=(state, container.id, video_url), daemon=True
        ).start()
    return jsonify(body)


@bp.post("/<version>/<ig_id>/media_publish")
def publish(version: str, ig_id: str) -> Response:
    """Publish a FINISHED container, once; the answer's id is the IG media id."""
    _ig_call(ig_id)
    state = meta_state()
    creation_id = graph_args().get("creation_id", "")
    with state.lock:
        container = state.containers.get(creation_id)
        if container is None or container.ig_id != ig_id:
            raise GraphError(24, "The requested resource does not exist.", subcode=2207008)
        _check_publishable(container, state.config.container_ttl)
        used = state.published_since(state.ig_published, "ig_id", ig_id)
        if used >= state.config.publish_quota:
            raise GraphError(
                9,
                "You reached maximum number of posts that is allowed to be published by "
                "Content Publishing API.",
                subcode=2207042,
            )
        container.status_code = "PUBLISHED"
        container.media_id = state.new_id("180")
        state.ig_published.append(
            {
                "ig_id": ig_id,
                "at": time.time(),
                "media_id": container.media_id,
                "container_id": container.id,
                "sha256": container.transfer.hasher.hexdigest(),
                "bytes": container.transfer.offset,
                "params": dict(container.params),
            }
        )
        state.counters["ig_published"] += 1
        return jsonify({"id": container.media_id})


def _check_publishable(container: Container, ttl: float) -> None:
    """Only a FINISHED standalone Reels container; never a second time."""
    status = container.current(ttl)
    if status == "PUBLISHED":
        raise GraphError(
            24, "The media has already been published from this container.", subcode=2207008
        )
    if status == "EXPIRED":
        raise GraphError(
            -2,
            "The media you are trying to access has expired. Please try to upload again.",
            subcode=2207020,
        )
    if status == "ERROR":
        raise GraphError(-1, "unknown upload error", subcode=2207053)
    if status == "IN_PROGRESS":
        raise GraphError(
            9007,
            "The media is not ready for publishing, please wait for a moment",
            subcode=2207027,
            user_title="Media ID is not available",
        )
    if container.media_type == "VIDEO":
        raise GraphError(
            100,
            "Carousel item cannot be published standalone; use media_type=REELS.",
            subcode=2207089,
        )


@bp.get("/<version>/<ig_id>/content_publishing_limit")
def publishing_limit(version: str, ig_id: str) -> Response:
    """{"data": [{"quota_usage", "config": {"quota_total", "quota_duration"}}]}."""
    _ig_call(ig_id)
    state = meta_state()
    since = request.args.get("since")
    if since is not None:
        if not since.isdigit() or int(since) < time.time() - state.config.quota_duration:
            raise GraphError(100, "(#100) since must be a Unix timestamp no older than 24 hours.")
    record = {
        "quota_usage": state.published_since(state.ig_published, "ig_id", ig_id),
        "config": {
            "quota_total": state.config.publish_quota,
            "quota_duration": state.config.quota_duration,
        },
    }
    return jsonify({"data": [pick(record, fields(["quota_usage"]))]})
