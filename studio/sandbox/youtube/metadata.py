"""The video resource sent to videos.insert, checked rule by rule (docs/platforms/youtube.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from studio.sandbox.youtube.config import YouTubeConfig
from studio.sandbox.youtube.errors import GoogleError, invalid_metadata

INSERT_PARTS = {
    "id", "snippet", "status", "contentDetails", "fileDetails", "localizations",
    "paidProductPlacementDetails", "player", "processingDetails", "recordingDetails",
    "statistics", "suggestions", "topicDetails",
}  # fmt: skip
WRITABLE = {"snippet", "status", "paidProductPlacementDetails", "recordingDetails", "localizations"}
SNIPPET_KEYS = {"title", "description", "tags", "categoryId", "defaultLanguage"}
STATUS_KEYS = {
    "privacyStatus", "selfDeclaredMadeForKids", "containsSyntheticMedia", "publishAt",
    "license", "embeddable", "publicStatsViewable",
}  # fmt: skip
PRIVACY = {"private", "unlisted", "public"}
# Assignable video categories (videoCategories.list, region US).
CATEGORIES = {"1", "2", "10", "15", "17", "19", "20", "22", "23", "24", "25", "26", "27", "28"}
MAX_TITLE, MAX_DESCRIPTION_BYTES, MAX_TAGS = 100, 5000, 500


def parse_parts(value: str | None) -> list[str]:
    """The `part` parameter: required, known parts only."""
    parts = [p.strip() for p in (value or "").split(",") if p.strip()]
    if not parts:
        raise GoogleError(
            400, "required", "Required parameter: part", "global", "part", "parameter"
        )
    for part in parts:
        if part not in INSERT_PARTS:
            message = f"'{part}'"
            raise GoogleError(400, "unknownPart", message, "youtube.part", "part", "parameter")
    return parts


def units(text: str) -> int:
    """Length in UTF-16 code units: never less than code points (strict for emoji)."""
    return len(text.encode("utf-16-le")) // 2


def tags_length(tags: list[str]) -> int:
    """Google's count: commas between tags, and quotes around a tag with a space."""
    return sum(units(t) + (2 if " " in t else 0) for t in tags) + max(len(tags) - 1, 0)


def _bad(location: str, message: str) -> GoogleError:
    return invalid_metadata("invalidVideoMetadata", message, location)


def validate(body: Any, parts: list[str], cfg: YouTubeConfig) -> dict[str, Any]:
    """Return the checked resource or raise the first broken rule as Google's error."""
    if not isinstance(body, dict):
        raise GoogleError(400, "parseError", "Parse Error")
    for part in cfg.required_parts:
        if part not in parts:
            raise _bad("part", f"part must list {part} (sandbox strict).")
    for key in body:
        if key not in WRITABLE:
            raise _bad(f"body.{key}", f"{key} is not a writable part of a video.")
        if key not in parts:  # Google drops it silently; strict: refuse
            raise _bad(f"body.{key}", f"{key} is sent but part does not list it (sandbox strict).")
    _snippet(body.get("snippet"))
    _status(body.get("status"))
    if "paidProductPlacementDetails" in parts:
        details = body.get("paidProductPlacementDetails")
        if not isinstance(details, dict) or set(details) != {"hasPaidProductPlacement"}:
            raise _bad("body.paidProductPlacementDetails", "Send hasPaidProductPlacement only.")
        if not isinstance(details["hasPaidProductPlacement"], bool):
            raise _bad("body.paidProductPlacementDetails", "hasPaidProductPlacement: a boolean.")
    return body


def _snippet(snippet: Any) -> None:
    if not isinstance(snippet, dict) or not set(snippet) <= SNIPPET_KEYS:
        raise _bad(
            "body.snippet", f"snippet must be an object with keys from {sorted(SNIPPET_KEYS)}."
        )
    title = snippet.get("title")
    if (
        not isinstance(title, str)
        or not title.strip()
        or units(title) > MAX_TITLE
        or "<" in title
        or ">" in title
    ):
        raise invalid_metadata(
            "invalidTitle",
            "The request metadata specifies an invalid or empty video title.",
            "body.snippet.title",
        )
    description = snippet.get("description", "")
    if (
        not isinstance(description, str)
        or len(description.encode()) > MAX_DESCRIPTION_BYTES
        or "<" in description
        or ">" in description
    ):
        raise invalid_metadata(
            "invalidDescription",
            "The request metadata specifies an invalid video description.",
            "body.snippet.description",
        )
    tags = snippet.get("tags", [])
    if (
        not isinstance(tags, list)
        or not all(isinstance(t, str) and t.strip() and "<" not in t and ">" not in t for t in tags)
        or tags_length(tags) > MAX_TAGS
    ):
        raise invalid_metadata(
            "invalidTags",
            "The request metadata specifies invalid video keywords.",
            "body.snippet.tags",
        )
    if snippet.get("categoryId") not in CATEGORIES:
        raise invalid_metadata(
            "invalidCategoryId",
            'The video snippet specifies an invalid category ID (a string such as "22").',
            "body.snippet.categoryId",
        )


def _status(status: Any) -> None:
    if not isinstance(status, dict) or not set(status) <= STATUS_KEYS:
        raise _bad("body.status", f"status must be an object with keys from {sorted(STATUS_KEYS)}.")
    if status.get("privacyStatus") not in PRIVACY:
        raise _bad(
            "body.status.privacyStatus",
            "privacyStatus must be private, unlisted or public; never leave it to the API "
            "default (public since 2026-11-02) (sandbox strict).",
        )
    for key in ("selfDeclaredMadeForKids", "containsSyntheticMedia"):
        if not isinstance(status.get(key), bool):
            raise _bad(f"body.status.{key}", f"{key} must be sent as a boolean (sandbox strict).")
    for key in ("embeddable", "publicStatsViewable"):
        if key in status and not isinstance(status[key], bool):
            raise _bad(f"body.status.{key}", f"{key} must be a boolean.")
    if status.get("license", "youtube") not in ("youtube", "creativeCommon"):
        raise _bad("body.status.license", "license must be youtube or creativeCommon.")
    if "publishAt" in status:
        _publish_at(status)


def _publish_at(status: dict[str, Any]) -> None:
    """A scheduled time: ISO 8601 with a zone, in the future, on a private video."""
    try:
        when = datetime.fromisoformat(str(status["publishAt"]).replace("Z", "+00:00"))
        valid = when.tzinfo is not None and when.timestamp() > datetime.now().timestamp()
    except ValueError:
        valid = False
    if not valid or status["privacyStatus"] != "private":
        raise invalid_metadata(
            "invalidPublishAt",
            "The request metadata specifies an invalid scheduled publishing time.",
            "body.status.publishAt",
        )
