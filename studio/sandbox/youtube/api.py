"""Data API reads: channels.list (the connected channel) and videos.list (processing)."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from studio.sandbox.youtube import quota, tokens
from studio.sandbox.youtube.channels import CHANNELS, Channel
from studio.sandbox.youtube.config import READONLY_SCOPE
from studio.sandbox.youtube.errors import GoogleError, bad_parameter
from studio.sandbox.youtube.oauth import youtube_state
from studio.sandbox.youtube.resources import channel_resource, etag, video_resource

bp = Blueprint("yt_api", __name__)
CHANNEL_PARTS = {
    "id", "snippet", "statistics", "contentDetails", "status", "brandingSettings",
    "localizations", "topicDetails",
}  # fmt: skip
VIDEO_PARTS = {
    "id", "snippet", "status", "processingDetails", "statistics", "contentDetails",
    "fileDetails", "paidProductPlacementDetails",
}  # fmt: skip
CHANNEL_FILTERS = ("mine", "id", "forHandle", "forUsername", "managedByMe", "categoryId")
MAX_IDS = 50


def _parts(allowed: set[str]) -> list[str]:
    parts = [p.strip() for p in request.args.get("part", "").split(",") if p.strip()]
    if not parts:
        raise GoogleError(
            400, "required", "Required parameter: part", "global", "part", "parameter"
        )
    for part in parts:
        if part not in allowed:
            raise GoogleError(400, "unknownPart", f"'{part}'", "youtube.part", "part", "parameter")
    return parts


def _reader() -> Channel:
    """Authenticate with youtube.readonly and spend one unit (invalid requests cost too)."""
    state = youtube_state()
    channel = tokens.authenticate(state, request.headers.get("Authorization"), (READONLY_SCOPE,))
    if "access_token" in request.args:
        raise bad_parameter("invalidParameter", "Tokens never go in the URL (sandbox).", "key")
    quota.charge_units(state, 1)
    return channel


def _page(kind: str, items: list[dict[str, object]]) -> Response:
    body: dict[str, object] = {"kind": kind, "etag": etag(kind, len(items))}
    body["pageInfo"] = {"totalResults": len(items), "resultsPerPage": max(len(items), 5)}
    if items:  # Google leaves the key out, rather than sending [], when nothing matches
        body["items"] = items
    return jsonify(body)


@bp.get("/youtube/v3/channels")
def channels_list() -> Response:
    """`part=snippet&mine=true`: title, `@handle` (customUrl) and avatar thumbnails."""
    state = youtube_state()
    me = _reader()
    parts = _parts(CHANNEL_PARTS)
    filters = [name for name in CHANNEL_FILTERS if name in request.args]
    if not filters:
        message = "No filter selected. Expected one of: " + ", ".join(CHANNEL_FILTERS)
        raise GoogleError(400, "missingRequiredParameter", message)
    if len(filters) > 1:
        raise GoogleError(400, "incompatibleParameters", "Use exactly one filter.")
    value = request.args[filters[0]]
    if filters[0] == "mine":
        if value != "true":
            raise bad_parameter("invalidParameter", "mine must be true.", "mine")
        found = [me] if me.channel_id else []
    elif filters[0] == "id":
        ids = value.split(",")
        found = [c for c in CHANNELS if c.channel_id in ids]
    elif filters[0] == "forHandle":
        handle = value if value.startswith("@") else "@" + value
        found = [c for c in CHANNELS if c.handle and c.handle.lower() == handle.lower()]
    else:
        found = []
    items = [channel_resource(state, c, parts) for c in found]
    return _page("youtube#channelListResponse", items)


@bp.get("/youtube/v3/videos")
def videos_list() -> Response:
    """`part=status,processingDetails&id=A,B`: up to 50 ids; unknown ids are simply absent."""
    state = youtube_state()
    me = _reader()
    parts = _parts(VIDEO_PARTS)
    raw = request.args.get("id")
    if raw is None:
        raise GoogleError(400, "missingRequiredParameter", "No filter selected. Expected: id")
    ids = [i for i in raw.split(",") if i]
    if len(ids) > MAX_IDS:
        raise bad_parameter("invalidParameter", "At most 50 ids per request.", "id")
    items = []
    with state.lock:
        for video_id in dict.fromkeys(ids):
            video = state.videos.get(video_id)
            if video is None:
                continue
            owner = video.channel == me.key
            public = video.metadata.get("status", {}).get("privacyStatus") == "public"
            if owner or (public and video.upload_status == "processed"):
                items.append(video_resource(state, video, parts, owner))
    return _page("youtube#videoListResponse", items)
