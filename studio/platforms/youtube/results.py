"""Typed results of YouTube calls (what the client returns instead of raw JSON)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from studio.platforms.figures import AccountFigures, VideoFigures, count

# status.failureReason and status.rejectionReason in plain words (docs/platforms/youtube.md,
# Processing status). Unknown reasons fall back on Google's own word.
FAILURE_WORDS = {
    "codec": "YouTube could not decode the video's codec.",
    "conversion": "YouTube could not convert the video.",
    "emptyFile": "The uploaded file was empty.",
    "invalidFile": "YouTube could not read the file as a video.",
    "tooSmall": "The file is too small to be a video.",
    "uploadAborted": "The upload was cut off before it finished.",
}
REJECTION_WORDS = {
    "claim": "A rights holder claimed the video.",
    "copyright": "YouTube rejected the video for a copyright infringement.",
    "duplicate": "The channel already has this exact video.",
    "inappropriate": "YouTube rejected the video as inappropriate.",
    "legal": "YouTube rejected the video for legal reasons.",
    "length": "The video is longer than the channel may upload.",
    "termsOfUse": "YouTube rejected the video under its terms of use.",
    "trademark": "YouTube rejected the video for a trademark infringement.",
    "uploaderAccountClosed": "The channel's account is closed.",
    "uploaderAccountSuspended": "The channel's account is suspended.",
}
FINAL_STATES = {"processed", "failed", "rejected", "deleted"}


@dataclass(frozen=True)
class TokenSet:
    """A token answer; tokens are kept out of repr() so they never reach logs.

    `refresh_token` is the one to store: a new one when Google sent one (`rotated`), otherwise
    the one the caller already had ("" after a code exchange that brought none).
    """

    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    scopes: list[str]
    expires_in: int
    rotated: bool
    refresh_token_expires_in: int | None = None  # sent while the consent screen is in Testing
    token_type: str = "Bearer"

    @classmethod
    def from_body(cls, body: dict[str, Any], previous_refresh: str = "") -> TokenSet:
        """Build from the token endpoint's JSON; keep `previous_refresh` if none came."""
        new_refresh = str(body.get("refresh_token") or "")
        ttl = body.get("refresh_token_expires_in")
        return cls(
            access_token=str(body["access_token"]),
            refresh_token=new_refresh or previous_refresh,
            scopes=str(body.get("scope") or "").split(),
            expires_in=int(body.get("expires_in") or 0),
            rotated=bool(new_refresh),
            refresh_token_expires_in=int(ttl) if ttl is not None else None,
            token_type=str(body.get("token_type") or "Bearer"),
        )

    def missing(self, required: list[str]) -> list[str]:
        """Required scopes the user left unticked (granular consent)."""
        return [s for s in required if s not in self.scopes]


@dataclass(frozen=True)
class Channel:
    """The connected channel as channels.list?mine=true shows it."""

    id: str
    title: str
    handle: str  # "@acmestudio" (snippet.customUrl); "" when the channel has none
    avatar_url: str

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> Channel:
        """Build from one `youtube#channel` item."""
        snippet = item.get("snippet") or {}
        thumbs = snippet.get("thumbnails") or {}
        best = thumbs.get("medium") or thumbs.get("default") or thumbs.get("high") or {}
        return cls(
            id=str(item["id"]),
            title=str(snippet.get("title") or ""),
            handle=str(snippet.get("customUrl") or ""),
            avatar_url=str(best.get("url") or ""),
        )


@dataclass(frozen=True)
class UploadProgress:
    """Where a resumable session stands: the next byte to send, or the finished video."""

    offset: int
    video_id: str | None = None
    upload_status: str | None = None  # status.uploadStatus of the finished video, if sent

    @property
    def done(self) -> bool:
        """True once YouTube answered with the video resource."""
        return self.video_id is not None


@dataclass(frozen=True)
class VideoStatus:
    """videos.list?part=status,processingDetails for one video."""

    video_id: str
    upload_status: str  # uploaded | processed | failed | rejected | deleted | missing
    processing_status: str | None = None
    failure_reason: str | None = None
    rejection_reason: str | None = None
    privacy_status: str | None = None
    parts_total: int | None = None
    parts_processed: int | None = None

    @classmethod
    def from_item(cls, video_id: str, item: dict[str, Any] | None) -> VideoStatus:
        """Build from one `youtube#video` item; None means YouTube does not list the id."""
        if item is None:
            return cls(video_id, "missing")
        status = item.get("status") or {}
        details = item.get("processingDetails") or {}
        progress = details.get("processingProgress") or {}
        return cls(
            video_id=video_id,
            upload_status=str(status.get("uploadStatus") or "uploaded"),
            processing_status=details.get("processingStatus"),
            failure_reason=status.get("failureReason"),
            rejection_reason=status.get("rejectionReason"),
            privacy_status=status.get("privacyStatus"),
            parts_total=_int(progress.get("partsTotal")),
            parts_processed=_int(progress.get("partsProcessed")),
        )

    @property
    def final(self) -> bool:
        """Processing is over (decided on uploadStatus; processingDetails is progress only)."""
        return self.upload_status in FINAL_STATES

    @property
    def ok(self) -> bool:
        """The video is processed and watchable."""
        return self.upload_status == "processed"

    @property
    def plain(self) -> str:
        """The state in words for staff."""
        if self.upload_status == "failed":
            reason = self.failure_reason or ""
            return FAILURE_WORDS.get(reason, f"YouTube failed to process the video ({reason}).")
        if self.upload_status == "rejected":
            reason = self.rejection_reason or ""
            return REJECTION_WORDS.get(reason, f"YouTube rejected the video ({reason}).")
        return {
            "processed": "YouTube finished processing the video.",
            "deleted": "The video was deleted on YouTube.",
            "missing": "YouTube does not list this video (deleted, or not visible yet).",
        }.get(self.upload_status, "YouTube is processing the video.")


def video_url(video_id: str, short: bool) -> str:
    """The public link to store as soon as the insert answers."""
    if short:
        return f"https://www.youtube.com/shorts/{video_id}"
    return f"https://www.youtube.com/watch?v={video_id}"


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True)
class ChannelStatistics:
    """channels.list `statistics` and the uploads playlist (hidden counts stay None)."""

    account: AccountFigures
    uploads_playlist: str | None

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> ChannelStatistics:
        """Build from one youtube#channel with `statistics` and `contentDetails`."""
        stats = item.get("statistics") or {}
        hidden = bool(stats.get("hiddenSubscriberCount"))
        figures = AccountFigures(
            followers=None if hidden else count(stats.get("subscriberCount")),
            videos=count(stats.get("videoCount")),
        )
        playlists = (item.get("contentDetails") or {}).get("relatedPlaylists") or {}
        return cls(figures, str(playlists.get("uploads") or "") or None)


def video_figures(item: dict[str, Any]) -> VideoFigures:
    """A youtube#video with `statistics` (and `snippet`) as figures; absent counts stay None."""
    stats = item.get("statistics") or {}
    snippet = item.get("snippet") or {}
    published = str(snippet.get("publishedAt") or "")
    when = dt.datetime.fromisoformat(published.replace("Z", "+00:00")) if published else None
    return VideoFigures(
        remote_id=str(item.get("id") or ""),
        views=count(stats.get("viewCount")),
        likes=count(stats.get("likeCount")),
        comments=count(stats.get("commentCount")),
        title=str(snippet.get("title") or "")[:300] or None,
        published_at=when,
    )
