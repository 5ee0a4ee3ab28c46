"""YouTube's options for one target: every status choice explicit, the title, tags, category.

Rules: docs/platforms/youtube.md, "Metadata rules" and "Shorts".
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session
from wtforms import BooleanField, Form, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice

from studio.platforms.limits import Limit
from studio.platforms.models import Account, Mode
from studio.platforms.options import ChosenOnPrepare, Common, Target
from studio.platforms.youtube import connection, quota, rules
from studio.platforms.youtube.errors import PACIFIC

CATEGORY_LABELS = {
    "1": "Film & Animation",
    "2": "Autos & Vehicles",
    "10": "Music",
    "15": "Pets & Animals",
    "17": "Sports",
    "19": "Travel & Events",
    "20": "Gaming",
    "22": "People & Blogs",
    "23": "Comedy",
    "24": "Entertainment",
    "25": "News & Politics",
    "26": "Howto & Style",
    "27": "Education",
    "28": "Science & Technology",
}
PRIVACY_LABELS = {"private": "Private", "unlisted": "Unlisted", "public": "Public"}
# Where rules.problems names a field → the form field it belongs to ("caption" is the post's).
FIELDS = {
    "snippet.title": "title",
    "snippet.description": "caption",
    "snippet.tags": "tags",
    "snippet.categoryId": "category",
    "status.privacyStatus": "privacy_status",
}


class PrepareSection(Form):
    """One YouTube upload's details; visibility and audience have no default."""

    title = StringField("Title", render_kw={"maxlength": rules.MAX_TITLE})
    privacy_status = RadioField(
        "Visibility",
        choices=[SelectChoice(k, v) for k, v in PRIVACY_LABELS.items()],
        validate_choice=False,
    )
    made_for_kids = RadioField(
        "Made for kids?",
        choices=[
            SelectChoice("yes", "Yes, it is made for kids"),
            SelectChoice("no", "No, it is not made for kids"),
        ],
        validate_choice=False,
    )
    category = SelectField(
        "Category",
        choices=[
            SelectChoice(k, v) for k, v in sorted(CATEGORY_LABELS.items(), key=lambda c: c[1])
        ],
        default="22",
    )
    tags = StringField("Tags", render_kw={"placeholder": "kettle, kitchen, how to"})
    notify_subscribers = BooleanField("Notify subscribers", default=True)
    paid_product_placement = BooleanField("Contains paid product placement")


def tag_list(raw: str | None) -> tuple[str, ...]:
    """Comma-separated tags, trimmed, empty ones dropped."""
    return tuple(t.strip() for t in (raw or "").split(",") if t.strip())


def choices(form: Any) -> dict[str, Any]:
    """What staff chose in the section: Delivery.options, read back by the sender."""
    return {
        "title": (form.title.data or "").strip(),
        "tags": list(tag_list(form.tags.data)),
        "category_id": form.category.data or "",
        "privacy_status": form.privacy_status.data or None,
        "made_for_kids": {"yes": True, "no": False}.get(form.made_for_kids.data or ""),
        "paid_product_placement": bool(form.paid_product_placement.data),
        "notify_subscribers": bool(form.notify_subscribers.data),
    }


def metadata(form: Any, common: Common) -> rules.VideoMetadata:
    """The upload's details exactly as the sender will build them from the stored choices."""
    return rules.from_options(choices(form), common.caption, common.title, common.is_aigc)


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:]


class YouTubeOptions(ChosenOnPrepare):
    """The options part of YouTube's platform interface."""

    name = "youtube"
    label = "YouTube"
    prepare_template = "youtube/_post_options.html"
    preview_template = "youtube/_post_preview.html"
    confirm_template: str | None = None
    note_template: str | None = None
    delivery_template: str | None = "youtube/_post_delivery.html"
    rules = rules
    value_labels: dict[str, str] = PRIVACY_LABELS

    def accounts(self, session: Session) -> list[Account]:
        """Connected channels that granted uploads."""
        return [
            a
            for a in connection.connected_accounts(session)
            if a.has_scope(connection.UPLOAD_SCOPE)
        ]

    def prepare_form(self, formdata: Any, prefix: str, account: Account) -> PrepareSection:
        """The section, with the post's prefix."""
        return PrepareSection(formdata, prefix=prefix)

    def check_prepare(self, form: Any, account: Account, common: Common) -> dict[str, str]:
        """YouTube takes the video; its metadata rules, each at its field; audience chosen."""
        found: dict[str, str] = {}
        refused = rules.video_verdict(common.video).problems
        if refused:
            words = "; ".join(v.message for v in refused)
            found["video"] = f"YouTube cannot take this video: {words}."
        for problem in rules.problems(metadata(form, common)):
            name = FIELDS.get(problem.location, problem.location)
            found.setdefault(name, _sentence(problem.message or ""))
        if "privacy_status" in found:
            found["privacy_status"] = "Choose private, unlisted or public."
        if form.made_for_kids.data not in ("yes", "no"):
            found["made_for_kids"] = "Say whether the video is made for kids (COPPA)."
        if "caption" in found:
            found["caption"] = "YouTube description: " + found["caption"]
        return found

    def mode(self, prepared: Any, common: Common) -> Mode:
        """YouTube makes a Short of a vertical or square video up to 3 minutes (no flag)."""
        short, _why = rules.shorts_verdict(common.width, common.height, common.duration_s)
        return Mode.SHORT if short else Mode.VIDEO

    def stored(self, prepared: Any, confirm: Any, target: Target, common: Common) -> dict[str, Any]:
        """The section's choices (the sender builds the videos.insert body from them)."""
        return choices(prepared)

    def preview(
        self, prepared: Any, confirm: Any, target: Target, common: Common
    ) -> dict[str, Any]:
        """The body YouTube receives, and whether it will be a Short."""
        short, why = rules.shorts_verdict(common.width, common.height, common.duration_s)
        meta = metadata(prepared, common)
        return {
            "body": {**rules.video_resource(meta), "notifySubscribers": meta.notify_subscribers},
            "short": short,
            "why": why,
            "category": CATEGORY_LABELS.get(prepared.category.data or "", ""),
            "button": "Upload to YouTube",
        }

    def consent(self, prepared: Any, target: Target) -> str:
        """The consent line naming the channel and the visibility."""
        who = f"“{target.nickname}”" + (f" (@{target.username})" if target.username else "")
        privacy = {"private": "a private", "unlisted": "an unlisted", "public": "a public"}
        how = privacy.get(prepared.privacy_status.data or "", "a")
        return f"I want to upload this video to the YouTube channel {who} as {how} video."

    def limits(self, mode: Mode) -> tuple[Limit, ...]:
        """The Google project's daily videos.insert bucket, shared by every channel."""
        count = quota.limit(quota.UPLOADS)
        why = (
            f"YouTube's daily quota lets this app's Google project upload {count} videos "
            "(videos.insert calls) a day for all channels together; it resets at midnight "
            "Pacific time"
        )
        return (
            Limit(
                count,
                why,
                connection.PLATFORM,
                per_account=False,
                resets_in=PACIFIC,
                spent=quota.uploads_spent,
            ),
        )


OPTIONS = YouTubeOptions()
