"""TikTok's Direct Post UX rules, checked on the server as well as in JS.

Source: docs/platforms/tiktok.md, "Direct Post UX (Content Sharing Guidelines)".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

PRIVACY_LABELS = {
    "PUBLIC_TO_EVERYONE": "Everyone",
    "MUTUAL_FOLLOW_FRIENDS": "Friends",
    "FOLLOWER_OF_CREATOR": "Followers",
    "SELF_ONLY": "Only me",
}
MUSIC_URL = "https://www.tiktok.com/legal/page/global/music-usage-confirmation/en"
BRANDED_URL = "https://www.tiktok.com/legal/page/global/bc-policy/en"
LABEL_PROMOTIONAL = "Your photo/video will be labeled as 'Promotional content'"
LABEL_PAID = "Your photo/video will be labeled as 'Paid partnership'"
NEED_DISCLOSURE = "You need to indicate if your content promotes yourself, a third party, or both."
BRANDED_NOT_PRIVATE = "Branded content visibility cannot be set to private."


@dataclass(frozen=True)
class DirectSettings:
    """What the user chose on the Direct Post form (nothing pre-selected)."""

    privacy_level: str | None
    allow_comment: bool = False
    allow_duet: bool = False
    allow_stitch: bool = False
    commercial: bool = False
    brand_organic: bool = False
    brand_content: bool = False


def privacy_choices(options: list[str]) -> list[tuple[str, str]]:
    """Dropdown entries in TikTok's order, labelled the way the TikTok app words them."""
    return [(o, PRIVACY_LABELS.get(o, o.replace("_", " ").title())) for o in options]


def problems(settings: DirectSettings, creator: Any, duration_s: float) -> dict[str, str]:
    """Every rule the settings break, keyed by form field; empty when they may be sent."""
    found: dict[str, str] = {}
    if not settings.privacy_level:
        found["privacy_level"] = "Choose who can view this video."
    elif settings.privacy_level not in creator.privacy_level_options:
        found["privacy_level"] = "That visibility is not available for this account."
    if settings.allow_comment and creator.comment_disabled:
        found["allow_comment"] = "Comments are turned off for this account in TikTok."
    if settings.allow_duet and creator.duet_disabled:
        found["allow_duet"] = "Duet is turned off for this account in TikTok."
    if settings.allow_stitch and creator.stitch_disabled:
        found["allow_stitch"] = "Stitch is turned off for this account in TikTok."
    if settings.commercial and not (settings.brand_organic or settings.brand_content):
        found["commercial"] = NEED_DISCLOSURE
    if settings.brand_content and settings.privacy_level == "SELF_ONLY":
        found["brand_content"] = BRANDED_NOT_PRIVATE
    limit = creator.max_video_post_duration_sec
    if limit and duration_s > limit:
        found["duration"] = (
            f"This video is {duration_s:.0f} s long; this account may post at most {limit} s."
        )
    return found


def post_info(settings: DirectSettings, creator: Any, title: str, is_aigc: bool) -> dict[str, Any]:
    """The Direct Post `post_info`; every boolean is sent, creator restrictions always win."""
    branded = settings.commercial and settings.brand_content
    return {
        "privacy_level": settings.privacy_level,
        "title": title,
        "disable_comment": creator.comment_disabled or not settings.allow_comment,
        "disable_duet": creator.duet_disabled or not settings.allow_duet,
        "disable_stitch": creator.stitch_disabled or not settings.allow_stitch,
        "brand_content_toggle": bool(branded),
        "brand_organic_toggle": bool(settings.commercial and settings.brand_organic),
        "is_aigc": bool(is_aigc),
    }


def content_label(brand_organic: bool, brand_content: bool) -> str | None:
    """The label TikTok will show: 'Paid partnership' wins when both are checked."""
    if brand_content:
        return LABEL_PAID
    if brand_organic:
        return LABEL_PROMOTIONAL
    return None


def consent_links(brand_content: bool) -> list[tuple[str, str]]:
    """(text, url) of the policies the consent line names, in TikTok's wording."""
    if brand_content:
        return [("Branded Content Policy", BRANDED_URL), ("Music Usage Confirmation", MUSIC_URL)]
    return [("Music Usage Confirmation", MUSIC_URL)]
