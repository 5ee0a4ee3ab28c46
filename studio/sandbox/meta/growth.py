"""Meta figures that grow with time: followers, IG media insights, Page Reels' video insights.

Figures come from studio/sandbox/figures.py (a test pins any of them, or sets one to None:
that metric is then left out of the answer). Every account has a few videos published
outside the app (in the Instagram or Facebook app), older than the insights lag.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from typing import Protocol

from studio.sandbox.figures import ACCOUNT_RATES, DAY, VIDEO_RATES, Figures
from studio.sandbox.meta.models import Video
from studio.sandbox.meta.people import PEOPLE

# GET /{ig-media-id}/insights: what Meta lists today (plays and impressions were removed).
IG_METRICS = frozenset(
    {
        "views",
        "reach",
        "likes",
        "comments",
        "shares",
        "saved",
        "total_interactions",
        "follows",
        "profile_visits",
        "profile_activity",
        "replies",
        "ig_reels_avg_watch_time",
        "ig_reels_video_view_total_time",
    }
)
# GET /{video-id}/video_insights for a Page Reel: the Video Insights reference's "Reels
# Metrics" table (docs/platforms/meta.md, Metrics).
REEL_METRICS = frozenset(
    {
        "blue_reels_play_count",
        "fb_reels_total_plays",
        "fb_reels_replay_count",
        "post_impressions_unique",
        "post_video_avg_time_watched",
        "post_video_view_time",
        "post_video_followers",
        "post_video_likes_by_reaction_type",
        "post_video_retention_graph",
        "post_video_social_actions",
    }
)
RATES = {**VIDEO_RATES, "reach": 300.0, "saved": 3.0}
FOLLOWERS = {"ig": 1500, "page": 2400}
OUTSIDE_PER_ACCOUNT = 2


class GrowthState(Protocol):
    """What growth needs of the Meta state (state.py imports this module)."""

    figures: Figures
    started: float
    outside: list[Media]


@dataclass(frozen=True)
class Media:
    """A video on an IG account (`kind` "ig") or a Page (`kind` "page"), and when it went up."""

    id: str
    owner: str
    kind: str
    at: float
    caption: str


def followers(state: GrowthState, kind: str, owner: str, now: float) -> int | None:
    """An IG account's or a Page's followers now (lock held)."""
    base = {"followers": FOLLOWERS[kind]}
    key = f"{kind}:{owner}"
    return state.figures.grown(key, state.started, now, ACCOUNT_RATES, base)["followers"]


def video_figures(state: GrowthState, media_id: str, since: float, now: float) -> dict:
    """A video's figures now: views, reach, likes, comments, shares, saved (None: left out)."""
    return state.figures.grown(f"media:{media_id}", since, now, RATES, {})


def ig_values(figures: dict, wanted: list[str]) -> dict[str, int]:
    """IG insights by metric name; a figure set to None is left out."""
    known = {k: v for k, v in figures.items() if v is not None}
    parts = ("likes", "comments", "shares", "saved")
    if all(p in known for p in parts):
        known["total_interactions"] = sum(known[p] for p in parts)
    return {name: int(known[name]) for name in wanted if name in known}


def reel_values(figures: dict, wanted: list[str]) -> dict[str, object]:
    """Page Reel video insights by metric name; a figure set to None is left out."""
    f = {k: v for k, v in figures.items() if v is not None}
    out: dict[str, object] = {}
    if "views" in f:
        out["blue_reels_play_count"] = f["views"]
        out["fb_reels_total_plays"] = f["views"] + f["views"] // 10
    if "reach" in f:
        out["post_impressions_unique"] = f["reach"]
    if "likes" in f:
        love = f["likes"] // 5
        out["post_video_likes_by_reaction_type"] = {
            "REACTION_LIKE": f["likes"] - love,
            "REACTION_LOVE": love,
        }
    if "comments" in f and "shares" in f:
        out["post_video_social_actions"] = {"COMMENT": f["comments"], "SHARE": f["shares"]}
    return {name: out[name] for name in wanted if name in out}


def page_reels(videos: dict[str, Video], outside: list[Media], page_id: str) -> list[Media]:
    """A Page's published Reels, newest first (lock held)."""
    mine = [
        Media(v.id, page_id, "page", v.published_at, str(v.params.get("description", "")))
        for v in videos.values()
        if v.page_id == page_id and v.published_at is not None
    ]
    mine += [m for m in outside if m.kind == "page" and m.owner == page_id]
    return sorted(mine, key=lambda m: (m.at, m.id), reverse=True)


def add_outside(state: GrowthState, owner: str, count: int, age_days: float) -> list[str]:
    """`count` videos the IG account or Page `owner` posted in Meta's apps (tests, the bench).

    Returns their ids, or [] when no demo person manages `owner` (lock held by the caller).
    """
    owners = {pg.id: "page" for p in PEOPLE for pg in p.pages}
    owners |= {pg.ig.id: "ig" for p in PEOPLE for pg in p.pages if pg.ig is not None}
    kind = owners.get(owner)
    if kind is None:
        return []
    start, when = len(state.outside), time.time() - age_days * DAY
    app = "Instagram" if kind == "ig" else "Facebook"
    made = [
        Media(f"{'189' if kind == 'ig' else '108'}{start + n:012d}", owner, kind, when + n * 0.001,
              f"Clip #{start + n + 1} (posted in the {app} app)")
        for n in range(count)
    ]  # fmt: skip
    state.outside.extend(made)
    return [m.id for m in made]


def seed(state: GrowthState) -> None:
    """Every Page and IG account has a few older videos published outside the app."""
    owners = {(pg.id, "page") for p in PEOPLE for pg in p.pages}
    owners |= {(pg.ig.id, "ig") for p in PEOPLE for pg in p.pages if pg.ig is not None}
    for owner, kind in sorted(owners):
        for n in range(OUTSIDE_PER_ACCOUNT):
            digest = hashlib.sha256(f"{kind}:{owner}:{n}".encode()).hexdigest()
            media_id = ("181" if kind == "ig" else "105") + str(int(digest[:12], 16))[:12]
            app = "Instagram" if kind == "ig" else "Facebook"
            when = state.started - (20 - 7 * n) * DAY
            state.outside.append(
                Media(media_id, owner, kind, when, f"Clip #{n + 1} (posted in the {app} app)")
            )
