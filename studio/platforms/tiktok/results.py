"""Typed results of TikTok calls (what the client returns instead of raw JSON)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from studio.platforms.figures import VideoFigures, count


def split_scopes(value: Any) -> list[str]:
    """`"a,b"` (TikTok's comma-separated form; spaces tolerated) → `["a", "b"]`."""
    if isinstance(value, list | tuple):
        items = [str(v) for v in value]
    else:
        items = str(value or "").replace(" ", ",").split(",")
    return list(dict.fromkeys(s.strip() for s in items if s.strip()))


@dataclass(frozen=True)
class TokenSet:
    """A token response; tokens are kept out of repr() so they never reach logs."""

    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    open_id: str
    scope: list[str]
    expires_in: int
    refresh_expires_in: int
    token_type: str = "Bearer"

    @classmethod
    def from_body(cls, body: dict[str, Any]) -> TokenSet:
        """Build from the flat token-endpoint JSON."""
        return cls(
            access_token=str(body["access_token"]),
            refresh_token=str(body.get("refresh_token") or ""),
            open_id=str(body.get("open_id") or ""),
            scope=split_scopes(body.get("scope")),
            expires_in=int(body.get("expires_in") or 0),
            refresh_expires_in=int(body.get("refresh_expires_in") or 0),
            token_type=str(body.get("token_type") or "Bearer"),
        )


@dataclass(frozen=True)
class CreatorInfo:
    """creator_info/query: who will receive a Direct Post and what they allow."""

    avatar_url: str
    username: str
    nickname: str
    privacy_level_options: list[str]
    comment_disabled: bool
    duet_disabled: bool
    stitch_disabled: bool
    max_video_post_duration_sec: int

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> CreatorInfo:
        """Build from the `data` object of the response."""
        return cls(
            avatar_url=str(data.get("creator_avatar_url") or ""),
            username=str(data.get("creator_username") or ""),
            nickname=str(data.get("creator_nickname") or ""),
            privacy_level_options=[str(o) for o in data.get("privacy_level_options") or []],
            comment_disabled=bool(data.get("comment_disabled")),
            duet_disabled=bool(data.get("duet_disabled")),
            stitch_disabled=bool(data.get("stitch_disabled")),
            max_video_post_duration_sec=int(data.get("max_video_post_duration_sec") or 0),
        )


@dataclass(frozen=True)
class InitResult:
    """An init answer: the publish id and, for FILE_UPLOAD, where to PUT the chunks."""

    publish_id: str
    upload_url: str | None = field(default=None, repr=False)  # carries its own upload token


@dataclass(frozen=True)
class ChunkResult:
    """A chunk PUT answer: 206 (more expected) or 201 (complete), and TikTok's Content-Range."""

    status_code: int
    content_range: str | None

    @property
    def complete(self) -> bool:
        """True once TikTok has every byte."""
        return self.status_code == 201


@dataclass(frozen=True)
class PublishStatus:
    """status/fetch: where a publish stands."""

    status: str
    fail_reason: str | None = None
    uploaded_bytes: int | None = None
    downloaded_bytes: int | None = None
    post_ids: list[str] = field(default_factory=list)

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> PublishStatus:
        """Build from `data` (note TikTok's real spelling `publicaly_available_post_id`)."""
        ids = data.get("publicaly_available_post_id") or data.get("publicly_available_post_id")
        return cls(
            status=str(data.get("status") or ""),
            fail_reason=data.get("fail_reason") or None,
            uploaded_bytes=_int_or_none(data.get("uploaded_bytes")),
            downloaded_bytes=_int_or_none(data.get("downloaded_bytes")),
            post_ids=[str(i) for i in ids or []],
        )


@dataclass(frozen=True)
class VideoPage:
    """video/list or video/query: the videos' figures, the cursor, whether more follow."""

    videos: list[VideoFigures]
    cursor: int | None = None
    has_more: bool = False

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> VideoPage:
        """Build from `data`; entries without an id are dropped; absent counts stay None."""
        videos = [
            _video(v) for v in data.get("videos") or [] if isinstance(v, dict) and v.get("id")
        ]
        return cls(videos, _int_or_none(data.get("cursor")), bool(data.get("has_more")))


def _video(item: dict[str, Any]) -> VideoFigures:
    created = _int_or_none(item.get("create_time"))
    return VideoFigures(
        remote_id=str(item["id"]),
        views=count(item.get("view_count")),
        likes=count(item.get("like_count")),
        comments=count(item.get("comment_count")),
        shares=count(item.get("share_count")),
        title=str(item.get("title") or item.get("video_description") or "")[:300] or None,
        published_at=dt.datetime.fromtimestamp(created, dt.UTC) if created else None,
    )


def _int_or_none(value: Any) -> int | None:
    try:
        return None if value is None else int(value)
    except (TypeError, ValueError):
        return None
