"""Instagram's and Facebook's options for one account: a Reel, its spec checked before sending.

Rules: docs/platforms/meta.md, "Instagram Reels", "Facebook Page Reels" and "App-side checks".
The caption and hashtags prepared once are the Reel's caption (Instagram) or description
(Facebook); the post's AI flag is sent as Instagram's AI label.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy.orm import Session
from wtforms import BooleanField, Form

from studio.platforms.limits import Limit
from studio.platforms.meta import connection, rules
from studio.platforms.models import Account, AccountStatus, Mode
from studio.platforms.options import ChosenOnPrepare, Common, Target


class InstagramSection(Form):
    """Instagram's one choice: whether the Reel also shows in the main feed."""

    share_to_feed = BooleanField("Also show the Reel in the profile's main feed", default=True)


class PageSection(Form):
    """Facebook Page Reels have no choices beyond the post's words."""


def facts(common: Common) -> rules.VideoFacts:
    """What the app measured of the video, as Meta's spec reads it."""
    return rules.VideoFacts(
        common.width, common.height, common.duration_s, common.fps, common.size_bytes
    )


class ReelOptions(ChosenOnPrepare):
    """The options part of the interface for one of Meta's two platforms."""

    confirm_template: str | None = None
    note_template: str | None = None
    delivery_template: str | None = "meta/_post_delivery.html"
    preview_template = "meta/_post_preview.html"
    value_labels: dict[str, str] = {}

    def __init__(self, target: rules.Target, label: str, where: str) -> None:
        self.target, self.label, self.where = target, label, where
        self.prepare_template = f"meta/_post_options_{target}.html"

    def accounts(self, session: Session) -> list[Account]:
        """Chosen accounts of this platform whose Facebook login is connected."""
        rows = (
            connection.instagram_accounts(session)
            if self.target == "instagram"
            else connection.facebook_accounts(session)
        )
        return [a for a in rows if a.status == AccountStatus.CONNECTED]

    def prepare_form(self, formdata: Any, prefix: str, account: Account) -> Form:
        """The section, with the target's prefix."""
        section = InstagramSection if self.target == "instagram" else PageSection
        return section(formdata, prefix=prefix)

    def check_prepare(self, form: Any, account: Account, common: Common) -> dict[str, str]:
        """Meta's Reels spec and caption limits; each broken rule named where it can be fixed."""
        found: dict[str, str] = {}
        for problem in rules.problems(common.title, facts(common), self.target):
            where = "caption" if problem.rule in ("caption", "hashtags", "mentions") else "video"
            found.setdefault(where, f"{self.label}: {problem.message}")
        return found

    def mode(self, prepared: Any, common: Common) -> Mode:
        """A Reel is published at once (no draft)."""
        return Mode.DIRECT

    def stored(self, prepared: Any, confirm: Any, target: Target, common: Common) -> dict[str, Any]:
        """Instagram: share_to_feed; Facebook: nothing beyond the post's words."""
        if self.target == "instagram":
            return {"share_to_feed": bool(prepared.share_to_feed.data)}
        return {}

    def preview(
        self, prepared: Any, confirm: Any, target: Target, common: Common
    ) -> dict[str, Any]:
        """The words Meta receives and where the Reel appears."""
        return {
            "where": self.where,
            "words": "Caption" if self.target == "instagram" else "Description",
            "text": common.title,
            "share_to_feed": self.stored(prepared, confirm, target, common).get("share_to_feed"),
            "ai_label": self.target == "instagram",
            "button": f"Publish to {self.label}",
        }

    def consent(self, prepared: Any, target: Target) -> str:
        """The consent line naming the account."""
        who = f"“{target.nickname}”" + (f" (@{target.username})" if target.username else "")
        return f"I want to publish this video as a Reel on the {self.where} {who} now."

    def limits(self, mode: Mode) -> tuple[Limit, ...]:
        """Instagram's content publishing limit per account, or Facebook's Page Reels limit
        per Page; both over any 24 hours (docs/platforms/meta.md)."""
        if self.target == "instagram":
            count = int(current_app.config["META_INSTAGRAM_POSTS_PER_DAY"])
            why = (
                f"Instagram lets one account publish {count} posts through apps in any 24 h "
                "(its content publishing limit)"
            )
        else:
            count = int(current_app.config["META_PAGE_REELS_PER_DAY"])
            why = f"Facebook lets one Page publish {count} Reels through apps in any 24 h"
        return (Limit(count, why, self.target),)


INSTAGRAM = ReelOptions("instagram", "Instagram", "Instagram account")
FACEBOOK = ReelOptions("facebook", "Facebook", "Facebook Page")
