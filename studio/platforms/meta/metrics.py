"""Instagram's and Facebook Pages' figures for one account: followers, recent videos, insights.

Instagram: `GET /{ig-user-id}?fields=followers_count,media_count`, the newest `/media`, then
`/{media-id}/insights` per video (views, reach, likes, comments, shares, saved). Facebook: the
Page's `followers_count`, its newest `/video_reels`, then `/{video-id}/video_insights` per Reel.
Insights lag up to 48 h and come back empty meanwhile: a figure missing is None, never 0.
Graph has no per-id batching that saves rate limit (a batch counts each call), so a round
costs 2 + one call per video, within METRICS_META_CALLS per account (Meta's Business Use
Case limits are per IG account and per Page). docs/platforms/meta.md, Metrics.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from sqlalchemy.orm import Session

from studio.platforms.figures import (
    AccountFigures,
    AllowanceSpent,
    Harvest,
    Metrics,
    MetricsUnavailable,
    VideoFigures,
    count,
)
from studio.platforms.meta.client import MetaClient
from studio.platforms.meta.connection import FACEBOOK, INSIGHTS_SCOPES, get_client
from studio.platforms.meta.errors import (
    GraphError,
    MetaError,
    PermissionMissing,
    RateLimited,
    TokenInvalid,
)
from studio.platforms.meta.tokens import ReconnectNeeded, token_for
from studio.platforms.models import Account, Delivery
from studio.transport import TransportError

IG_METRICS = ["views", "reach", "likes", "comments", "shares", "saved", "total_interactions"]
REEL_METRICS = [
    "blue_reels_play_count",  # plays of the Reel
    "post_impressions_unique",  # reach
    "post_video_likes_by_reaction_type",  # reactions by type: likes = their sum
    "post_video_social_actions",  # {COMMENT, SHARE}
]
RECENT = 25  # the first page of /media or /video_reels: videos published outside the app too
APP_LIMIT = 4  # Graph's code 4: the app's own limit, shared by every account
INVALID = 100
RETIRED_METRIC = re.compile(r"metric\[(\d+)\] must be one of")
# Reach: the Video Insights reference lists post_impressions_unique for Reels, but Page
# Insights retired it (and Meta retires metrics without a new version): without it, a Reel's
# reach is "not available" and its other figures are still read.
OPTIONAL = frozenset({"post_impressions_unique", "reach", "total_interactions"})
NO_INSIGHTS = 10  # on one video's insights: "(#10) Not enough viewers for the media"
# Meta Platform Terms (3.b): keep Platform Data no longer than needed for the purpose it was
# obtained for, and delete it when the account is disconnected. Two years of daily history
# serve year-on-year charts and match Page video insights' own 2-year window.
RETENTION_DAYS = 730
WHY = (
    "Performance figures are switched on: the app also asks to read insights of the chosen "
    "Pages' Reels (read_insights) and Instagram accounts' media (instagram_manage_insights): "
    "views, reach, likes, comments, shares and saves of the company's own videos, and follower "
    "counts. Nothing about other users, followers or viewers is read."
)


@dataclass(frozen=True)
class Reader:
    """How one platform's account is read: which edges, which metrics, how they map."""

    scope: str
    fields: list[str]  # the account's count fields
    edge: str  # its videos, newest first
    edge_fields: str
    insights: str  # the video's insights edge
    metrics: list[str]
    figures: Callable[[str, dict[str, Any]], VideoFigures]
    account: Callable[[dict[str, Any]], AccountFigures]


def video_ids(delivery: Delivery) -> list[str]:
    """The IG media id or the Page Reel's video id of a published delivery."""
    return list(delivery.remote_post_ids or [])


def _ig_figures(remote_id: str, values: dict[str, Any]) -> VideoFigures:
    return VideoFigures(
        remote_id=remote_id,
        views=count(values.get("views")),
        reach=count(values.get("reach")),
        likes=count(values.get("likes")),
        comments=count(values.get("comments")),
        shares=count(values.get("shares")),
        saves=count(values.get("saved")),
    )


def _reel_figures(remote_id: str, values: dict[str, Any]) -> VideoFigures:
    reactions = values.get("post_video_likes_by_reaction_type")
    actions = values.get("post_video_social_actions")
    return VideoFigures(
        remote_id=remote_id,
        views=count(values.get("blue_reels_play_count")),
        reach=count(values.get("post_impressions_unique")),
        likes=_total(reactions),
        comments=count(actions.get("COMMENT", 0)) if isinstance(actions, dict) else None,
        shares=count(actions.get("SHARE", 0)) if isinstance(actions, dict) else None,
    )


def _total(breakdown: Any) -> int | None:
    """The sum of a by-type breakdown (a type absent is 0 once the metric is given)."""
    if not isinstance(breakdown, dict):
        return None
    numbers = [count(v) for v in breakdown.values()]
    return sum(n for n in numbers if n is not None)


INSTAGRAM_READER = Reader(
    scope="instagram_manage_insights",
    fields=["followers_count", "media_count"],
    edge="media",
    edge_fields="id,media_type,media_product_type,caption,timestamp",
    insights="insights",
    metrics=IG_METRICS,
    figures=_ig_figures,
    account=lambda body: AccountFigures(
        followers=count(body.get("followers_count")), videos=count(body.get("media_count"))
    ),
)
FACEBOOK_READER = Reader(
    scope="read_insights",
    fields=["followers_count"],
    edge="video_reels",
    edge_fields="id,description,created_time",
    insights="video_insights",
    metrics=REEL_METRICS,
    figures=_reel_figures,
    account=lambda body: AccountFigures(followers=count(body.get("followers_count"))),
)


def collect(session: Session, account: Account, video_ids: list[str], allowance: int) -> Harvest:
    """Read the account's and its videos' figures in at most `allowance` Graph calls.

    Raises MetricsUnavailable when nothing can be read (permission missing or revoked, the
    login to reconnect); a rate limit or an outage midway keeps what was read (`note`).
    """
    reader = FACEBOOK_READER if account.platform == FACEBOOK else INSTAGRAM_READER
    if not account.has_scope(reader.scope):
        raise MetricsUnavailable(f"the account has not allowed {reader.scope}: reconnect it")
    harvest = Harvest()
    found: dict[str, VideoFigures] = {}
    try:
        token = token_for(session, account)
    except ReconnectNeeded as exc:
        raise MetricsUnavailable("the Meta login needs to be reconnected") from exc
    client = get_client()

    def call(fn: Callable[[MetaClient], Any]) -> Any:
        if harvest.calls >= allowance:
            raise AllowanceSpent
        harvest.calls += 1
        return fn(client)

    node = str(account.remote_id)
    try:
        with client:
            body = call(lambda c: c.node_counts(token, node, reader.fields))
            harvest.account = reader.account(body)
            edge, fields = reader.edge, reader.edge_fields
            recent = call(lambda c: c.recent_videos(token, node, edge, fields, RECENT))
            videos = [r for r in recent if r.get("media_type", "VIDEO") == "VIDEO"]
            harvest.recent = [str(r["id"]) for r in videos]
            described = {str(r["id"]): r for r in videos}
            wanted = list(reader.metrics)  # less what Meta has retired, once it says so
            for remote_id in dict.fromkeys([*harvest.recent, *video_ids]):
                values = _video_insights(call, token, f"{remote_id}/{reader.insights}", wanted)
                if values is not None:
                    found[remote_id] = _described(reader.figures(remote_id, values), described)
    except AllowanceSpent:
        harvest.note = "this round's share of Meta calls is used up; the rest comes next round"
    except (TokenInvalid, PermissionMissing) as exc:
        raise MetricsUnavailable(
            f"Meta refused to read the account's insights ({exc.code}): reconnect it"
        ) from exc
    except RateLimited as exc:
        harvest.note = "Meta's rate limit was reached; the rest comes next round"
        harvest.exhausted = exc.graph_code == APP_LIMIT
    except (MetaError, TransportError) as exc:
        harvest.note = f"Meta did not answer ({type(exc).__name__}); the rest comes next round"
    harvest.videos = list(found.values())
    return harvest


def _gone(exc: GraphError) -> bool:
    """100/33 on one video: it was deleted, or this login can no longer see it."""
    return exc.graph_code == 100 and exc.subcode == 33


def _video_insights(
    call: Callable[[Callable[[MetaClient], Any]], Any], token: str, path: str, wanted: list[str]
) -> dict[str, Any] | None:
    """One video's insights; None when it is gone, {} when it has none (yet).

    Graph rejects the whole call for one metric it no longer knows ("(#100) metric[i] must be
    one of the following values: …"): an OPTIONAL one is dropped from `wanted` for the rest of
    the round and the call made again; any other error goes up.
    """
    while True:
        try:
            return dict(call(partial(_insights, token, path, list(wanted))))
        except GraphError as exc:
            if _gone(exc):
                return None  # deleted at Meta (or no longer visible): nothing to read
            if exc.graph_code == NO_INSIGHTS:
                return {}  # "not enough viewers": this video has no insights (yet)
            retired = _retired(exc, wanted)
            if retired is None:
                raise
            wanted.remove(retired)


def _retired(exc: GraphError, wanted: list[str]) -> str | None:
    """The optional metric a code-100 answer names by its index, if it names one."""
    found = RETIRED_METRIC.search(exc.message) if exc.graph_code == INVALID else None
    index = int(found.group(1)) if found else len(wanted)
    name = wanted[index] if index < len(wanted) else None
    return name if name in OPTIONAL else None


def _insights(token: str, path: str, metrics: list[str], client: MetaClient) -> dict[str, Any]:
    return client.insights(token, path, metrics)


def _described(figures: VideoFigures, described: dict[str, dict[str, Any]]) -> VideoFigures:
    """The figures with the title and date the list gave (videos published outside)."""
    record = described.get(figures.remote_id)
    if record is None:
        return figures
    title = str(record.get("caption") or record.get("description") or "")[:300] or None
    stamp = record.get("timestamp") or record.get("created_time")
    try:
        published = dt.datetime.strptime(str(stamp), "%Y-%m-%dT%H:%M:%S%z") if stamp else None
    except ValueError:
        published = None
    when = published.astimezone(dt.UTC) if published else None
    return VideoFigures(**{**figures.__dict__, "title": title, "published_at": when})


def _metrics(reader: Reader) -> Metrics:
    return Metrics(
        collect=collect,
        video_ids=video_ids,
        retention_days=RETENTION_DAYS,
        scopes=(reader.scope,),
        why=WHY,
        allowance="METRICS_META_CALLS",  # calls per account and round (BUC limits per account)
    )


INSTAGRAM_METRICS = _metrics(INSTAGRAM_READER)
FACEBOOK_METRICS = _metrics(FACEBOOK_READER)
__all__ = ["FACEBOOK_METRICS", "INSIGHTS_SCOPES", "INSTAGRAM_METRICS"]
