"""YouTube's figures for one channel: statistics, the uploads playlist, 50 videos a unit.

The Data API's quota is the project's, shared with publishing (status polls spend units
too): a round spends at most its allowance of units and stops at once on `quotaExceeded`.
Google's API Services Developer Policies let a client keep API data no longer than 30 days
without refreshing it, so YouTube snapshots are kept 30 days (RETENTION_DAYS).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from studio.platforms.figures import (
    AllowanceSpent,
    Harvest,
    Metrics,
    MetricsUnavailable,
    VideoFigures,
    batches,
)
from studio.platforms.models import Account, Delivery, DeliveryStatus
from studio.platforms.youtube.client import MAX_IDS
from studio.platforms.youtube.connection import READONLY_SCOPE, get_client
from studio.platforms.youtube.errors import (
    AuthError,
    InsufficientPermissions,
    NoChannel,
    PlatformError,
    QuotaExceeded,
)
from studio.platforms.youtube.tokens import ReconnectNeeded, call_with_token

SCOPES = (READONLY_SCOPE,)  # already part of the connection: nothing new to ask for
WHY = ""
RETENTION_DAYS = 30
T = TypeVar("T")


def video_ids(delivery: Delivery) -> list[str]:
    """The YouTube video id of a published delivery."""
    if delivery.remote_post_ids:
        return list(delivery.remote_post_ids)
    published = delivery.status == DeliveryStatus.PUBLISHED and delivery.remote_id
    return [delivery.remote_id] if published and delivery.remote_id else []


def collect(session: Session, account: Account, video_ids: list[str], allowance: int) -> Harvest:
    """Read the channel's and its videos' figures spending at most `allowance` units.

    The first uploads page (50 newest) lists videos published outside the app too. Raises
    MetricsUnavailable when nothing can be read; `quotaExceeded` keeps what was read and
    stops every YouTube account of the round (the quota is the project's).
    """
    missing = METRICS.missing_scopes(account)
    if missing:
        raise MetricsUnavailable("the channel has not allowed reading its statistics")
    harvest = Harvest()
    found: dict[str, VideoFigures] = {}
    client = get_client()

    def call(fn: Callable[[str], T]) -> T:
        if harvest.units >= allowance:
            raise AllowanceSpent
        harvest.calls += 1
        harvest.units += 1  # channels, playlistItems and videos.list cost 1 unit each
        return call_with_token(session, account.id, fn)

    try:
        with client:
            channel = call(client.channel_statistics)
            harvest.account = channel.account
            if channel.uploads_playlist:
                playlist = channel.uploads_playlist
                recent, _next = call(lambda t: client.playlist_video_ids(t, playlist))
                harvest.recent = recent
            wanted = list(dict.fromkeys([*harvest.recent, *video_ids]))
            for batch in batches(wanted, MAX_IDS):
                for figures in call(partial(_statistics, client, batch)):
                    found[figures.remote_id] = figures
    except AllowanceSpent:
        harvest.note = "metrics' share of the daily YouTube quota is used up; the rest tomorrow"
    except QuotaExceeded:
        harvest.note = "the app's daily YouTube quota is used up; the rest after it resets"
        harvest.exhausted = True
    except (InsufficientPermissions, AuthError, ReconnectNeeded, NoChannel) as exc:
        raise MetricsUnavailable(
            f"YouTube refused to read the channel ({type(exc).__name__}): reconnect it"
        ) from exc
    except PlatformError as exc:
        harvest.note = f"YouTube did not answer ({type(exc).__name__}); the rest next round"
    harvest.videos = list(found.values())
    return harvest


def _statistics(client: Any, ids: list[str], token: str) -> Any:
    """One videos.list?part=statistics call for `ids` (at most MAX_IDS)."""
    return client.video_statistics(token, ids)


METRICS = Metrics(
    collect=collect,
    video_ids=video_ids,
    retention_days=RETENTION_DAYS,
    scopes=SCOPES,
    why=WHY,
    allowance="METRICS_YOUTUBE_UNITS",  # units per round
    shared=True,  # the quota is the project's, shared by every channel (and publishing)
)
