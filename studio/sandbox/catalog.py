"""Each fake creator's videos (a few posted from the TikTok app, not the API) and stats."""

from __future__ import annotations

import hashlib
import time

from studio.sandbox.creators import CREATORS, Creator
from studio.sandbox.figures import ACCOUNT_RATES, DAY, Figures
from studio.sandbox.models import Video

OUTSIDE_PER_CREATOR = 2


def seed(videos: dict[str, Video], started: float) -> None:
    """Give every creator a few older videos posted outside the API."""
    for creator in CREATORS:
        for n in range(OUTSIDE_PER_CREATOR):
            digest = hashlib.sha256(f"{creator.id}:{n}".encode()).hexdigest()
            video_id = str(7_000_000_000_000_000_000 + int(digest[:15], 16) % 10**18)
            made = started - (20 - 7 * n) * DAY
            title = f"{creator.display_name}: clip #{n + 1} (posted in the TikTok app)"
            videos[video_id] = Video(video_id, creator.open_id, made, title)


def account_figures(
    figures: Figures, videos: dict[str, Video], started: float, creator: Creator
) -> dict[str, int | None]:
    """user/info's stats fields, grown since the sandbox started (the state's lock held)."""
    base = {"followers": creator.follower_count, "following": creator.following_count}
    base["likes"] = creator.likes_count
    key = f"user:{creator.open_id}"
    grown = figures.grown(key, started, time.time(), ACCOUNT_RATES, base)
    mine = sum(1 for v in videos.values() if v.open_id == creator.open_id)
    return {
        "follower_count": grown.get("followers"),
        "following_count": grown.get("following"),
        "likes_count": grown.get("likes"),
        "video_count": figures.pinned.get(key, {}).get("videos", mine),
    }
