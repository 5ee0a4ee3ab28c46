"""JSON renderings of channels and videos as the Data API returns them."""

from __future__ import annotations

import hashlib
from typing import Any

from flask import request

from studio.sandbox.youtube import growth
from studio.sandbox.youtube.channels import Channel, by_key
from studio.sandbox.youtube.models import Video
from studio.sandbox.youtube.state import YouTubeState


def base_url(state: YouTubeState) -> str:
    """Where this sandbox is reached (config override or the request's host)."""
    return (state.config.public_base_url or request.host_url).rstrip("/")


def etag(*values: object) -> str:
    """A stable opaque etag."""
    return hashlib.sha1(repr(values).encode()).hexdigest()[:27]


def thumbnails(state: YouTubeState, channel: Channel) -> dict[str, Any]:
    """Avatar sizes as channels.list gives them (88, 240, 800 px)."""
    url = f"{base_url(state)}/_sandbox/youtube/avatar/{channel.key}.svg"
    sizes = {"default": 88, "medium": 240, "high": 800}
    return {name: {"url": f"{url}?s={px}", "width": px, "height": px} for name, px in sizes.items()}


def channel_resource(state: YouTubeState, channel: Channel, parts: list[str]) -> dict[str, Any]:
    """A youtube#channel with the requested parts."""
    out: dict[str, Any] = {"kind": "youtube#channel", "etag": etag(channel.channel_id)}
    out["id"] = channel.channel_id
    if "snippet" in parts:
        out["snippet"] = {
            "title": channel.title,
            "description": f"{channel.title}: a channel of the local Google sandbox.",
            "customUrl": channel.handle,
            "publishedAt": "2024-01-15T09:30:00Z",
            "thumbnails": thumbnails(state, channel),
            "localized": {"title": channel.title, "description": ""},
        }
    if "statistics" in parts:
        with state.lock:
            out["statistics"] = growth.channel_statistics(state, channel)
    if "contentDetails" in parts:
        uploads = "UU" + (channel.channel_id or "")[2:]
        out["contentDetails"] = {"relatedPlaylists": {"likes": "", "uploads": uploads}}
    if "status" in parts:
        out["status"] = {
            "privacyStatus": "public",
            "isLinked": True,
            "longUploadsStatus": "allowed",
        }
    return out


def video_resource(
    state: YouTubeState, video: Video, parts: list[str], owner: bool = True
) -> dict[str, Any]:
    """A youtube#video with the requested parts (processing and file details: owner only)."""
    channel = by_key(video.channel)
    assert channel is not None
    meta = video.metadata
    out: dict[str, Any] = {"kind": "youtube#video", "etag": etag(video.id, video.upload_status)}
    out["id"] = video.id
    if "snippet" in parts:
        snippet = meta.get("snippet", {})
        out["snippet"] = {
            "publishedAt": video.published_at,
            "channelId": channel.channel_id,
            "title": snippet.get("title", ""),
            "description": snippet.get("description", ""),
            "thumbnails": thumbnails(state, channel),
            "channelTitle": channel.title,
            "tags": snippet.get("tags", []),
            "categoryId": snippet.get("categoryId"),
            "liveBroadcastContent": "none",
        }
    if "status" in parts:
        out["status"] = _status(video)
    if "paidProductPlacementDetails" in parts:
        out["paidProductPlacementDetails"] = dict(meta.get("paidProductPlacementDetails", {}))
    if "processingDetails" in parts and owner:
        out["processingDetails"] = _processing(state, video)
    if "fileDetails" in parts and owner:
        out["fileDetails"] = {"fileSize": str(video.size), "fileType": "video"}
    if "statistics" in parts:
        with state.lock:
            out["statistics"] = growth.video_statistics(state, video)
    return out


def _status(video: Video) -> dict[str, Any]:
    given = video.metadata.get("status", {})
    status: dict[str, Any] = {
        "uploadStatus": video.upload_status,
        "privacyStatus": given.get("privacyStatus"),
        "license": given.get("license", "youtube"),
        "embeddable": given.get("embeddable", True),
        "publicStatsViewable": given.get("publicStatsViewable", True),
        "madeForKids": given.get("selfDeclaredMadeForKids"),
        "selfDeclaredMadeForKids": given.get("selfDeclaredMadeForKids"),
        "containsSyntheticMedia": given.get("containsSyntheticMedia"),
    }
    if "publishAt" in given:
        status["publishAt"] = given["publishAt"]
    if video.failure_reason:
        status["failureReason"] = video.failure_reason
    if video.rejection_reason:
        status["rejectionReason"] = video.rejection_reason
    return status


def _processing(state: YouTubeState, video: Video) -> dict[str, Any]:
    details: dict[str, Any] = {"processingStatus": video.processing_status}
    if video.processing_status == "processing":
        steps = state.config.processing_steps
        left = (steps - video.parts_processed) * state.config.processing_step_delay
        details["processingProgress"] = {
            "partsTotal": str(steps),
            "partsProcessed": str(video.parts_processed),
            "timeLeftMs": str(int(left * 1000)),
        }
    if video.processing_failure_reason:
        details["processingFailureReason"] = video.processing_failure_reason
    details["fileDetailsAvailability"] = "available"
    return details
