"""Typed results of Meta calls (what the client returns instead of raw JSON)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

CONTAINER_WORDS = {
    "IN_PROGRESS": "Instagram is still processing the video.",
    "FINISHED": "Instagram finished processing the video; it can be published.",
    "PUBLISHED": "The Reel is published on Instagram.",
    "EXPIRED": "The upload expired: it was not published within 24 hours.",
}
# The ERROR status names its subcode: "Media upload has failed with error code 2207026."
# docs/platforms/meta.md, Instagram Reels: containers, and Errors.
FAILURE_WORDS = {
    2207026: "Instagram cannot use the video's format (container, codec, size or length).",
    2207003: "Instagram timed out downloading the video from the public media link.",
    2207052: "Instagram could not download the video from the public media link.",
    2207053: "Instagram had an unknown upload error.",
}
SUBCODE_RE = re.compile(r"error code (\d+)")
DONE = {"complete", "completed"}  # the guide and Meta's Postman sample differ (tolerant)


@dataclass(frozen=True)
class UserToken:
    """A user access token answer; the token is kept out of repr() so it never reaches logs."""

    access_token: str = field(repr=False)
    token_type: str
    expires_in: int | None  # None: Meta sent no expiry

    @classmethod
    def from_body(cls, body: dict[str, Any]) -> UserToken:
        """Build from oauth/access_token's JSON."""
        ttl = body.get("expires_in")
        return cls(
            access_token=str(body["access_token"]),
            token_type=str(body.get("token_type") or "bearer"),
            expires_in=int(ttl) if ttl is not None else None,
        )


@dataclass(frozen=True)
class Person:
    """The Facebook user behind a login (app-scoped id)."""

    id: str
    name: str
    picture_url: str


@dataclass(frozen=True)
class InstagramAccount:
    """An Instagram professional account (the `{ig-user-id}` of every IG call)."""

    id: str
    username: str
    name: str
    picture_url: str

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> InstagramAccount:
        """Build from an `instagram_business_account` or IG user node."""
        return cls(
            id=str(record["id"]),
            username=str(record.get("username") or ""),
            name=str(record.get("name") or ""),
            picture_url=str(record.get("profile_picture_url") or ""),
        )


@dataclass(frozen=True)
class Page:
    """A Facebook Page the person manages, its Page token, and its linked IG account."""

    id: str
    name: str
    picture_url: str
    access_token: str = field(repr=False)
    tasks: tuple[str, ...]
    instagram: InstagramAccount | None

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Page:
        """Build from one `/me/accounts` entry."""
        ig = record.get("instagram_business_account")
        return cls(
            id=str(record["id"]),
            name=str(record.get("name") or ""),
            picture_url=picture_url(record),
            access_token=str(record["access_token"]),
            tasks=tuple(str(t) for t in record.get("tasks") or ()),
            instagram=InstagramAccount.from_record(ig) if isinstance(ig, dict) else None,
        )

    @property
    def can_publish(self) -> bool:
        """Page Reels need the CREATE_CONTENT task (or MANAGE)."""
        return bool({"CREATE_CONTENT", "MANAGE"} & set(self.tasks))


@dataclass(frozen=True)
class ReelContainer:
    """A new IG Reels container; `upload_uri` is the rupload URL (None with video_url)."""

    id: str
    upload_uri: str | None


@dataclass(frozen=True)
class UploadOffset:
    """What Meta holds of a rupload: resume from `offset` (file_size None before any byte)."""

    offset: int
    file_size: int | None


@dataclass(frozen=True)
class ContainerStatus:
    """`GET /{container-id}?fields=status_code,status`."""

    id: str
    status_code: str  # IN_PROGRESS | FINISHED | ERROR | EXPIRED | PUBLISHED
    status: str
    error_subcode: int | None = None

    @classmethod
    def from_body(cls, container_id: str, body: dict[str, Any]) -> ContainerStatus:
        """Build from the node's JSON; the ERROR subcode is read out of `status`."""
        text = str(body.get("status") or "")
        found = SUBCODE_RE.search(text)
        return cls(
            id=container_id,
            status_code=str(body["status_code"]),
            status=text,
            error_subcode=int(found.group(1)) if found else None,
        )

    @property
    def publishable(self) -> bool:
        """Only a FINISHED container may be published (error 2207027 otherwise)."""
        return self.status_code == "FINISHED"

    @property
    def final(self) -> bool:
        """Nothing more will change by waiting."""
        return self.status_code != "IN_PROGRESS"

    @property
    def plain(self) -> str:
        """The state in words for staff."""
        if self.status_code == "ERROR":
            code = self.error_subcode
            default = f"Instagram failed to process the video (error {code or 'unknown'})."
            return FAILURE_WORDS.get(code or 0, default)
        return CONTAINER_WORDS.get(self.status_code, f"Instagram reports {self.status_code}.")


@dataclass(frozen=True)
class PublishingLimit:
    """`content_publishing_limit`: published in the rolling window, and the quota (read it)."""

    used: int
    quota: int
    duration: int  # seconds

    @property
    def left(self) -> int:
        """Publishes left in the window."""
        return max(self.quota - self.used, 0)


@dataclass(frozen=True)
class PageReelUpload:
    """`video_reels?upload_phase=start`: the video id and its rupload URL."""

    video_id: str
    upload_url: str


@dataclass(frozen=True)
class PageReelStatus:
    """`GET /{video-id}?fields=status`: the video's phases."""

    video_id: str
    video_status: str  # uploading | upload_complete | processing | ready | error | …
    uploading: str
    bytes_transferred: int
    processing: str
    publishing: str
    publish_status: str
    error: str = ""

    @classmethod
    def from_body(cls, video_id: str, body: dict[str, Any]) -> PageReelStatus:
        """Build from the node's `status` field (Meta spells `bytes_transfered`)."""
        status = body["status"]
        up = status.get("uploading_phase") or {}
        proc = status.get("processing_phase") or {}
        pub = status.get("publishing_phase") or {}
        errors = proc.get("errors") or []
        first = errors[0] if errors and isinstance(errors[0], dict) else {}
        return cls(
            video_id=video_id,
            video_status=str(status.get("video_status") or ""),
            uploading=str(up.get("status") or ""),
            bytes_transferred=int(up.get("bytes_transfered") or up.get("bytes_transferred") or 0),
            processing=str(proc.get("status") or ""),
            publishing=str(pub.get("status") or ""),
            publish_status=str(pub.get("publish_status") or ""),
            error=str(first.get("message") or ""),
        )

    @property
    def phase(self) -> str:
        """The phase under way: uploading, processing, publishing, or done / error."""
        if self.failed:
            return "error"
        if self.uploading not in DONE:
            return "uploading"
        if self.processing not in DONE:
            return "processing"
        if self.publishing not in DONE:
            return "publishing"
        return "done"

    @property
    def failed(self) -> bool:
        """Meta gave up on the video."""
        return self.video_status == "error" or self.processing == "error"

    @property
    def published(self) -> bool:
        """The Reel is live on the Page."""
        return self.publishing in DONE and self.publish_status == "published"

    @property
    def plain(self) -> str:
        """The state in words for staff."""
        if self.failed:
            return f"Facebook could not process the Reel: {self.error or 'no reason given'}."
        return {
            "uploading": "The video is uploading to Facebook.",
            "processing": "Facebook is processing the Reel.",
            "publishing": "Facebook is publishing the Reel.",
            "done": "The Reel is published on the Page.",
        }[self.phase]


@dataclass(frozen=True)
class Usage:
    """Rate-limit headers: the highest percent used, and minutes until access is back."""

    percent: int
    regain_minutes: int


def picture_url(record: dict[str, Any]) -> str:
    """`picture.data.url` of a node, or ""."""
    picture = record.get("picture")
    data = picture.get("data") if isinstance(picture, dict) else None
    return str(data.get("url") or "") if isinstance(data, dict) else ""
