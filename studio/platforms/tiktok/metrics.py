"""TikTok's figures for one account: user.info.stats, the newest videos, then 20 ids a call.

Scopes `user.info.stats` and `video.list` (public videos only) are asked for only when
metrics are switched on (config.scopes). video/list's first page gives the newest 20 videos
with their counts, so only older ones need video/query: ⌈(n − recent) / 20⌉ calls.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from studio.config import METRICS_SCOPES
from studio.platforms.figures import (
    AccountFigures,
    AllowanceSpent,
    Harvest,
    Metrics,
    MetricsUnavailable,
    VideoFigures,
    batches,
    count,
)
from studio.platforms.models import Account, Delivery
from studio.platforms.tiktok.client import MAX_QUERY_IDS
from studio.platforms.tiktok.connection import get_client
from studio.platforms.tiktok.errors import (
    PlatformError,
    RateLimited,
    ReconnectNeeded,
    ScopeNotAuthorized,
)
from studio.platforms.tiktok.tokens import call_with_token

SCOPES = METRICS_SCOPES  # asked for only while metrics are on (config.scopes)
WHY = (
    "Performance figures are switched on: the app also asks to read the account's follower, "
    "like and video counts (user.info.stats) and its public videos' views, likes, comments "
    "and shares (video.list). Nothing about other users, followers or viewers is read."
)
STATS_FIELDS = ["follower_count", "following_count", "likes_count", "video_count"]
VIDEO_FIELDS = ["id", "create_time", "title", "view_count", "like_count", "comment_count"]
VIDEO_FIELDS.append("share_count")
RECENT = 20  # video/list's largest page
# TikTok's developer terms: keep API data no longer than the service needs it; two years of
# daily history serve year-on-year charts (operators may shorten it).
RETENTION_DAYS = 730
T = TypeVar("T")


def video_ids(delivery: Delivery) -> list[str]:
    """The TikTok video ids of a delivery (status fetch's `publicaly_available_post_id`, or
    the `publicly_available` webhook; an inbox draft gets one once the creator posts it)."""
    return list(delivery.remote_post_ids or [])


def collect(session: Session, account: Account, video_ids: list[str], allowance: int) -> Harvest:
    """Read the account's and its videos' figures in at most `allowance` calls.

    Raises MetricsUnavailable when nothing can be read (scope missing or revoked, reconnect);
    a rate limit or an outage midway keeps what was read and says so in `note`.
    """
    missing = METRICS.missing_scopes(account)
    if missing:
        raise MetricsUnavailable(f"the account has not allowed {', '.join(missing)}")
    harvest = Harvest()
    found: dict[str, VideoFigures] = {}
    client = get_client()

    def call(fn: Callable[[str], T]) -> T:
        if harvest.calls >= allowance:
            raise AllowanceSpent
        harvest.calls += 1
        return call_with_token(session, account.id, fn)

    try:
        with client:
            user = call(lambda token: client.user_info(token, STATS_FIELDS))
            harvest.account = AccountFigures(
                followers=count(user.get("follower_count")),
                following=count(user.get("following_count")),
                likes=count(user.get("likes_count")),
                videos=count(user.get("video_count")),
            )
            page = call(lambda token: client.list_videos(token, VIDEO_FIELDS, count=RECENT))
            found.update((v.remote_id, v) for v in page.videos)
            harvest.recent = list(found)
            rest = [i for i in dict.fromkeys(video_ids) if i not in found]
            for batch in batches(rest, MAX_QUERY_IDS):
                answer = call(partial(_query, client, batch))
                found.update((v.remote_id, v) for v in answer.videos)
    except AllowanceSpent:
        harvest.note = "this round's share of TikTok calls is used up; the rest comes next round"
    except ScopeNotAuthorized as exc:
        raise MetricsUnavailable(
            "TikTok says the account no longer allows reading its figures "
            "(the scope was revoked): reconnect it"
        ) from exc
    except ReconnectNeeded as exc:
        raise MetricsUnavailable("the account needs to be reconnected") from exc
    except RateLimited:
        harvest.note = "TikTok's rate limit was reached; the rest comes next round"
    except PlatformError as exc:
        harvest.note = f"TikTok did not answer ({type(exc).__name__}); the rest comes next round"
    harvest.videos = list(found.values())
    return harvest


def _query(client: Any, ids: list[str], token: str) -> Any:
    """One video/query call for `ids` (at most MAX_QUERY_IDS)."""
    return client.query_videos(token, ids, VIDEO_FIELDS)


METRICS = Metrics(
    collect=collect,
    video_ids=video_ids,
    retention_days=RETENTION_DAYS,
    scopes=SCOPES,
    why=WHY,
    allowance="METRICS_TIKTOK_CALLS",  # calls per account and round (limits are per token)
    draft_origin="posted from the TikTok app (sent as a draft)",
)
