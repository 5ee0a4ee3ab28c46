"""Quota (2026): the videos.insert bucket and the shared units, per Pacific day; channel cap."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from studio.sandbox.youtube.config import DAY
from studio.sandbox.youtube.errors import GoogleError
from studio.sandbox.youtube.state import YouTubeState

PACIFIC = ZoneInfo("America/Los_Angeles")
QUOTA_MESSAGE = (
    "The request cannot be completed because you have exceeded your "
    '<a href="/youtube/v3/getting-started#quota">quota</a>.'
)


def _roll(state: YouTubeState) -> None:
    """Quotas reset at midnight Pacific Time; the caller holds the lock."""
    day = datetime.fromtimestamp(state.now(), PACIFIC).date().isoformat()
    if day != state.quota_day:
        state.quota.clear()
        state.quota_day = day


def _charge(state: YouTubeState, bucket: str, limit: int, amount: int) -> None:
    with state.lock:
        _roll(state)
        if state.quota[bucket] + amount > limit:
            state.counters["quota_exceeded"] += 1
            raise GoogleError(403, "quotaExceeded", QUOTA_MESSAGE, "youtube.quota")
        state.quota[bucket] += amount


def charge_units(state: YouTubeState, units: int = 1) -> None:
    """Spend general units (every call but videos.insert); invalid calls cost too."""
    _charge(state, "units", state.config.quota_units_per_day, units)


def charge_upload(state: YouTubeState) -> None:
    """Spend one call of the videos.insert bucket (the chunks belong to their insert)."""
    _charge(state, "uploads", state.config.upload_calls_per_day, 1)


def check_channel_cap(state: YouTubeState, channel_key: str) -> None:
    """The channel's own cap on uploads in 24 hours: 400 uploadLimitExceeded."""
    cap = state.config.channel_uploads_per_day
    with state.lock:
        now = state.now()
        recent = [t for t in state.channel_uploads.get(channel_key, []) if t > now - DAY]
        state.channel_uploads[channel_key] = recent
        if cap is not None and len(recent) >= cap:
            state.counters["upload_limit_exceeded"] += 1
            raise GoogleError(
                400,
                "uploadLimitExceeded",
                "The user has exceeded the number of videos they may upload.",
                "youtube.video",
            )
        recent.append(now)


def usage(state: YouTubeState) -> dict[str, Any]:
    """Today's spending and when it resets."""
    with state.lock:
        _roll(state)
        today = datetime.fromtimestamp(state.now(), PACIFIC)
        midnight = (today + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
        return {
            "day": state.quota_day,
            "units_used": state.quota["units"],
            "units_limit": state.config.quota_units_per_day,
            "upload_calls_used": state.quota["uploads"],
            "upload_calls_limit": state.config.upload_calls_per_day,
            "resets_at": midnight.isoformat(),
        }
