"""YouTube statistics that grow with the sandbox clock, and videos uploaded outside the app.

Channels and videos answer `statistics` from studio/sandbox/figures.py; a figure a test set
to None is left out, as Google does for a hidden count.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Protocol

from studio.sandbox.figures import ACCOUNT_RATES, DAY, VIDEO_RATES, Figures
from studio.sandbox.youtube.channels import CHANNELS, Channel
from studio.sandbox.youtube.models import Video


class YouTubeState(Protocol):
    """What growth needs of the state (state.py imports this module)."""

    figures: Figures
    started: float
    videos: dict[str, Video]

    def now(self) -> float: ...


SUBSCRIBERS = 850
OUTSIDE_PER_CHANNEL = 2


def _stamp(when: float) -> str:
    return datetime.fromtimestamp(when, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _since(video: Video) -> float:
    return (
        datetime.strptime(video.published_at, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp()
    )


def video_statistics(state: YouTubeState, video: Video) -> dict[str, str]:
    """A video's `statistics` as strings, grown since it was published (lock held)."""
    grown = state.figures.grown(f"video:{video.id}", _since(video), state.now(), VIDEO_RATES, {})
    names = {"viewCount": "views", "likeCount": "likes", "commentCount": "comments"}
    out = {api: str(grown[ours]) for api, ours in names.items() if grown.get(ours) is not None}
    return {**out, "favoriteCount": "0"}


def channel_statistics(state: YouTubeState, channel: Channel) -> dict[str, object]:
    """A channel's `statistics`: subscribers grow; views add up its videos (lock held)."""
    mine = [v for v in state.videos.values() if v.channel == channel.key]
    key = f"channel:{channel.key}"
    grown = state.figures.grown(
        key, state.started, state.now(), ACCOUNT_RATES, {"followers": SUBSCRIBERS}
    )
    views = sum(int(video_statistics(state, v).get("viewCount", 0)) for v in mine)
    out: dict[str, object] = {"viewCount": str(views), "hiddenSubscriberCount": False}
    if grown.get("followers") is not None:
        out["subscriberCount"] = str(grown["followers"])
    out["videoCount"] = str(len(mine))
    return out


def make_video(state: YouTubeState, channel: str, video_id: str, when: float, title: str) -> Video:
    """A processed public video (posted outside the app); the caller holds the lock."""
    metadata = {"snippet": {"title": title}, "status": {"privacyStatus": "public"}}
    video = Video(
        video_id,
        channel,
        metadata,
        ["snippet", "status"],
        1,
        "",
        "video/mp4",
        False,
        _stamp(when),
        upload_status="processed",
        processing_status="succeeded",
    )
    state.videos[video_id] = video
    return video


def seed(state: YouTubeState) -> None:
    """Every channel has a few older videos uploaded in YouTube Studio (lock held)."""
    for channel in CHANNELS:
        if channel.channel_id is None:
            continue
        for n in range(OUTSIDE_PER_CHANNEL):
            video_id = "yt" + hashlib.sha256(f"{channel.key}:{n}".encode()).hexdigest()[:9]
            title = f"{channel.title}: clip #{n + 1} (uploaded in YouTube Studio)"
            make_video(state, channel.key, video_id, state.started - (20 - 7 * n) * DAY, title)
