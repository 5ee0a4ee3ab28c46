"""`playlistItems.list`: a channel's uploads playlist, newest first, up to 50 a page."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from studio.sandbox.youtube import quota, tokens
from studio.sandbox.youtube.channels import CHANNELS
from studio.sandbox.youtube.config import READONLY_SCOPE
from studio.sandbox.youtube.errors import GoogleError, bad_parameter
from studio.sandbox.youtube.models import Video
from studio.sandbox.youtube.oauth import youtube_state
from studio.sandbox.youtube.resources import etag
from studio.sandbox.youtube.state import YouTubeState

bp = Blueprint("yt_stats", __name__)


def uploads_of(state: YouTubeState, playlist_id: str) -> list[Video] | None:
    """The channel's uploads, newest first; None when the playlist is unknown (lock held)."""
    for channel in CHANNELS:
        if channel.channel_id and playlist_id == "UU" + channel.channel_id[2:]:
            mine = [v for v in state.videos.values() if v.channel == channel.key]
            return sorted(mine, key=lambda v: (v.published_at, v.id), reverse=True)
    return None


@bp.get("/youtube/v3/playlistItems")
def playlist_items() -> Response:
    """`part=contentDetails&playlistId=UU…&maxResults≤50&pageToken`: 1 unit per call."""
    state = youtube_state()
    tokens.authenticate(state, request.headers.get("Authorization"), (READONLY_SCOPE,))
    quota.charge_units(state, 1)
    if "contentDetails" not in request.args.get("part", "").split(","):
        raise GoogleError(
            400, "required", "Required parameter: part", "global", "part", "parameter"
        )
    try:
        size = int(request.args.get("maxResults", "5"))
        start = int(request.args.get("pageToken", "p0")[1:] or 0)
    except ValueError:
        raise bad_parameter(
            "invalidParameter", "maxResults or pageToken is invalid.", "maxResults"
        ) from None
    if not 0 <= size <= 50:
        raise bad_parameter("invalidParameter", "maxResults must be 0 to 50.", "maxResults")
    with state.lock:
        uploads = uploads_of(state, request.args.get("playlistId", ""))
        if uploads is None:
            raise GoogleError(
                404, "playlistNotFound", "The playlist cannot be found.", "youtube.playlistItem"
            )
        page = uploads[start : start + size]
        items = [
            {
                "kind": "youtube#playlistItem",
                "etag": etag(v.id),
                "id": f"item-{v.id}",
                "contentDetails": {"videoId": v.id, "videoPublishedAt": v.published_at},
            }
            for v in page
        ]
    body: dict[str, object] = {"kind": "youtube#playlistItemListResponse", "etag": etag(start)}
    body["pageInfo"] = {"totalResults": len(uploads), "resultsPerPage": size}
    body["items"] = items
    if start + size < len(uploads):
        body["nextPageToken"] = f"p{start + size}"
    return jsonify(body)
