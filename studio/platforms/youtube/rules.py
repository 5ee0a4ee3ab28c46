"""The video's details checked before sending (each broken rule named), and the Shorts verdict.

Every rule and its source: docs/platforms/youtube.md, "Metadata rules" and "Shorts".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from studio.platforms.video import RuleViolation, Verdict, VideoInfo, fmt_size
from studio.platforms.youtube.errors import InvalidMetadata

MAX_TITLE = 100  # UTF-16 code units, the sandbox's strict count (an emoji is 2)
MAX_DESCRIPTION_BYTES = 5000  # bytes of UTF-8, not characters
MAX_TAGS = 500  # Google's count: commas between tags, +2 for a tag with a space (quoted)
PRIVACY = ("private", "unlisted", "public")
# Assignable video categories (videoCategories.list, region US); "22" is People & Blogs.
CATEGORIES = frozenset(
    {"1", "2", "10", "15", "17", "19", "20", "22", "23", "24", "25", "26", "27", "28"}
)
PARTS = ("snippet", "status", "paidProductPlacementDetails")  # a part left out is dropped
# A Short: square or vertical, and up to 3 minutes (since 2024-10-15; 60 s before). There is no
# API flag. docs/platforms/youtube.md, "Shorts" (the source is cited there).
SHORT_MAX_SECONDS = 180.0
# The largest file videos.insert takes (docs/platforms/youtube.md, "videos.insert: starting a
# resumable session": 1 byte to 256 GB). Google documents no frame rate, size or length rule.
MAX_VIDEO_BYTES = 256 * 1024**3


@dataclass(frozen=True)
class VideoMetadata:
    """What staff chose for one YouTube upload; every choice explicit, none left to defaults."""

    title: str
    description: str
    tags: tuple[str, ...]
    category_id: str
    privacy_status: str  # private | unlisted | public (a missing value would make it public)
    made_for_kids: bool  # status.selfDeclaredMadeForKids (COPPA)
    synthetic_media: bool  # status.containsSyntheticMedia, from the post's AI flag
    paid_product_placement: bool  # paidProductPlacementDetails.hasPaidProductPlacement
    notify_subscribers: bool
    publish_at: datetime | None = None  # scheduled publication: private videos only


def from_options(
    options: dict[str, Any], caption: str, description: str, synthetic: bool
) -> VideoMetadata:
    """The details of a delivery: staff's consented options, nothing left to defaults.

    The title is the one staff typed, else the caption's first line; the description is the
    caption with its hashtags; the post's AI flag becomes containsSyntheticMedia. A missing
    or malformed choice stays as it is, for `problems` to name.
    """
    first_line = (caption.strip().splitlines() or [""])[0]
    tags = options.get("tags") or []
    return VideoMetadata(
        title=(str(options.get("title") or "").strip() or first_line).strip(),
        description=description,
        tags=tuple(tags) if isinstance(tags, list) else tags,
        category_id=str(options.get("category_id") or ""),
        privacy_status=options.get("privacy_status"),  # type: ignore[arg-type]
        made_for_kids=options.get("made_for_kids"),  # type: ignore[arg-type]
        synthetic_media=synthetic,
        paid_product_placement=options.get("paid_product_placement"),  # type: ignore[arg-type]
        notify_subscribers=options.get("notify_subscribers"),  # type: ignore[arg-type]
    )


def units(text: str) -> int:
    """Length in UTF-16 code units (never less than code points; an emoji counts 2)."""
    return len(text.encode("utf-16-le")) // 2


def tags_length(tags: tuple[str, ...] | list[str]) -> int:
    """The tags' length as Google counts it: commas between tags, quotes around spaced tags."""
    return sum(units(t) + (2 if " " in t else 0) for t in tags) + max(len(tags) - 1, 0)


def problems(meta: VideoMetadata, now: datetime | None = None) -> list[InvalidMetadata]:
    """Every broken rule, each naming its field (empty when the details may be sent)."""
    found: list[InvalidMetadata] = []

    def bad(location: str, message: str) -> None:
        found.append(InvalidMetadata("rule", message, None, location=location))

    title = meta.title
    if not isinstance(title, str) or not title.strip():
        bad("snippet.title", "a title is required.")
    elif units(title) > MAX_TITLE:
        bad("snippet.title", f"at most {MAX_TITLE} characters (it has {units(title)}).")
    elif _angled(title):
        bad("snippet.title", "the characters < and > are not allowed.")
    description = meta.description
    if not isinstance(description, str):
        bad("snippet.description", "the description must be text.")
    elif len(description.encode()) > MAX_DESCRIPTION_BYTES:
        size = len(description.encode())
        bad("snippet.description", f"at most {MAX_DESCRIPTION_BYTES} bytes (it has {size}).")
    elif _angled(description):
        bad("snippet.description", "the characters < and > are not allowed.")
    _tags(meta.tags, bad)
    if meta.category_id not in CATEGORIES:
        bad("snippet.categoryId", f"{meta.category_id!r} is not an assignable category.")
    if meta.privacy_status not in PRIVACY:
        bad("status.privacyStatus", "choose private, unlisted or public explicitly.")
    flags = {
        "status.selfDeclaredMadeForKids": meta.made_for_kids,
        "status.containsSyntheticMedia": meta.synthetic_media,
        "paidProductPlacementDetails.hasPaidProductPlacement": meta.paid_product_placement,
        "notifySubscribers": meta.notify_subscribers,
    }
    for location, value in flags.items():
        if not isinstance(value, bool):
            bad(location, "an explicit yes or no is required.")
    if meta.publish_at is not None:
        when = meta.publish_at
        if when.tzinfo is None or when <= (now or datetime.now(UTC)):
            bad("status.publishAt", "a scheduled time must be in the future, with a time zone.")
        elif meta.privacy_status != "private":
            bad("status.publishAt", "only a private video can be scheduled.")
    return found


def check(meta: VideoMetadata) -> None:
    """Raise InvalidMetadata for the first broken rule."""
    found = problems(meta)
    if found:
        raise found[0]


def video_resource(meta: VideoMetadata) -> dict[str, Any]:
    """The videos.insert body; only keys of the parts in PARTS."""
    snippet: dict[str, Any] = {
        "title": meta.title,
        "description": meta.description,
        "categoryId": meta.category_id,
    }
    if meta.tags:
        snippet["tags"] = list(meta.tags)
    status: dict[str, Any] = {
        "privacyStatus": meta.privacy_status,
        "selfDeclaredMadeForKids": meta.made_for_kids,
        "containsSyntheticMedia": meta.synthetic_media,
    }
    if meta.publish_at is not None:
        status["publishAt"] = meta.publish_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "snippet": snippet,
        "status": status,
        "paidProductPlacementDetails": {"hasPaidProductPlacement": meta.paid_product_placement},
    }


def shorts_verdict(width: int, height: int, duration_s: float) -> tuple[bool, str]:
    """Whether YouTube will make the video a Short, and why not (displayed width and height)."""
    if width <= 0 or height <= 0:
        return False, "the video's size is unknown, so it cannot be judged a Short."
    if width > height:
        return False, f"it is landscape ({width}×{height}); a Short is vertical or square."
    if duration_s > SHORT_MAX_SECONDS:
        return False, f"it lasts {duration_s:.0f} s; a Short lasts at most 3 minutes."
    shape = "square" if width == height else "vertical"
    return (
        True,
        f"{shape} ({width}×{height}) and {duration_s:.0f} s long: YouTube makes it a Short.",
    )


def video_verdict(info: VideoInfo) -> Verdict:
    """Whether YouTube takes the file, and whether as a Short ("Shorts")."""
    found = []
    if info.video_codec is None:
        found.append(RuleViolation("video_stream", "no video stream"))
    if info.size_bytes > MAX_VIDEO_BYTES:
        limit = fmt_size(MAX_VIDEO_BYTES)
        found.append(RuleViolation("size", f"size {fmt_size(info.size_bytes)}; limit {limit}"))
    short, why = shorts_verdict(info.width, info.height, info.duration_s)
    return Verdict(found, "as a Short" if short else f"as a regular video: {why}")


def _angled(text: str) -> bool:
    return "<" in text or ">" in text


def _tags(tags: Any, bad: Callable[[str, str], None]) -> None:
    if not isinstance(tags, tuple | list) or not all(isinstance(t, str) for t in tags):
        bad("snippet.tags", "tags must be a list of words.")
        return
    if any(not t.strip() for t in tags):
        bad("snippet.tags", "empty tags are not allowed.")
    elif any(_angled(t) for t in tags):
        bad("snippet.tags", "the characters < and > are not allowed.")
    elif tags_length(tags) > MAX_TAGS:
        size = tags_length(tags)
        bad(
            "snippet.tags", f"at most {MAX_TAGS} characters in all, as YouTube counts (has {size})."
        )
