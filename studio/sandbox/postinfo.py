"""Validation of Direct Post `post_info` against the creator's settings."""

from __future__ import annotations

from typing import Any

from studio.sandbox.creators import Creator
from studio.sandbox.errors import ApiError

BOOLEANS = (
    "disable_duet",
    "disable_stitch",
    "disable_comment",
    "brand_content_toggle",
    "brand_organic_toggle",
    "is_aigc",
)
ALLOWED = {"privacy_level", "title", "video_cover_timestamp_ms", *BOOLEANS}
MAX_TITLE_UTF16 = 2200


def _invalid(message: str) -> ApiError:
    return ApiError("invalid_param", message, 400)


def parse_post_info(info: Any, creator: Creator) -> dict[str, Any]:
    """Return post_info with defaults and forced settings applied, or raise."""
    if not isinstance(info, dict):
        raise _invalid("post_info is required and must be an object.")
    extra = set(info) - ALLOWED
    if extra:
        # Unverified whether TikTok ignores unknown keys; strict: reject them.
        raise _invalid(f"Unknown post_info fields: {','.join(sorted(extra))}.")
    if info.get("privacy_level") not in creator.privacy_level_options:
        raise ApiError(
            "privacy_level_option_mismatch",
            "privacy_level is missing or not one of the creator's options.",
            403,
        )
    _check_title(info.get("title"))
    # The reference marks brand_content_toggle "required" while leaving the other booleans
    # blank; unverified whether TikTok enforces it, so the sandbox does (strict).
    if "brand_content_toggle" not in info:
        raise _invalid("post_info.brand_content_toggle is required.")
    out = {key: info.get(key, False) for key in BOOLEANS}
    if not all(isinstance(value, bool) for value in out.values()):
        raise _invalid(f"{', '.join(BOOLEANS)} must be booleans.")
    cover = info.get("video_cover_timestamp_ms")
    if cover is not None and (type(cover) is not int or cover < 0):
        raise _invalid("video_cover_timestamp_ms must be a non-negative integer.")
    if out["brand_content_toggle"] and info["privacy_level"] == "SELF_ONLY":
        # Guidelines: branded content cannot be private. Unverified at API level; strict.
        raise _invalid("Branded content visibility cannot be set to private.")
    out.update(
        privacy_level=info["privacy_level"],
        title=info.get("title", ""),
        video_cover_timestamp_ms=cover,
    )
    out["disable_duet"] = out["disable_duet"] or creator.is_duet_disabled
    out["disable_stitch"] = out["disable_stitch"] or creator.is_stitch_disabled
    out["disable_comment"] = out["disable_comment"] or creator.comment_disabled
    return out


def _check_title(title: Any) -> None:
    """At most 2200 UTF-16 code units."""
    if title is None:
        return
    if not isinstance(title, str):
        raise _invalid("title must be a string.")
    if len(title.encode("utf-16-le")) // 2 > MAX_TITLE_UTF16:
        raise _invalid("title must be at most 2200 UTF-16 code units.")
