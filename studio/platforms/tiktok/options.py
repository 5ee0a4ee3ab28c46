"""TikTok's options for one target: draft or Direct Post, and Direct Post's settings.

Rules: docs/platforms/tiktok.md, "Direct Post" and "Direct Post UX (Content Sharing Guidelines)".
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy.orm import Session
from wtforms import BooleanField, Form, RadioField, SelectField
from wtforms.fields.choices import SelectChoice

from studio.audit import Actor, scope
from studio.platforms.limits import Limit
from studio.platforms.models import PENDING_DRAFT, Account, Mode
from studio.platforms.options import Common, OptionsError, Target
from studio.platforms.tiktok import restrictions, rules, services
from studio.platforms.tiktok.errors import PlatformError, ReconnectNeeded, SpamRisk
from studio.platforms.tiktok.queries import pending_drafts

DRAFT_LABEL = "Draft in the TikTok inbox (finish and post it in TikTok)"
DIRECT_LABEL = "Post directly (for accounts that allow this app to publish for them)"


class PrepareSection(Form):
    """How to send to one TikTok account."""

    mode = RadioField("How to send", choices=[SelectChoice("draft", DRAFT_LABEL)], default="draft")


class ConfirmSection(Form):
    """Direct Post's settings, chosen beside the consent (nothing pre-selected)."""

    privacy_level = SelectField("Who can view this video", choices=[], validate_choice=False)
    allow_comment = BooleanField("Allow comments")
    allow_duet = BooleanField("Allow Duet")
    allow_stitch = BooleanField("Allow Stitch")
    commercial = BooleanField("Disclose commercial content")
    brand_organic = BooleanField("Your brand")
    brand_content = BooleanField("Branded content")


def direct_post_enabled() -> bool:
    """Direct Post is off unless TIKTOK_DIRECT_POST is set: it needs TikTok's audit."""
    return bool(current_app.config["TIKTOK_DIRECT_POST"])


def _settings(confirm: Any) -> rules.DirectSettings:
    return rules.DirectSettings(
        privacy_level=confirm.privacy_level.data or None,
        allow_comment=bool(confirm.allow_comment.data),
        allow_duet=bool(confirm.allow_duet.data),
        allow_stitch=bool(confirm.allow_stitch.data),
        commercial=bool(confirm.commercial.data),
        brand_organic=bool(confirm.brand_organic.data),
        brand_content=bool(confirm.brand_content.data),
    )


def _is_direct(prepared: Any) -> bool:
    return bool(prepared.mode.data == Mode.DIRECT)


class TikTokOptions:
    """The options part of TikTok's platform interface."""

    name = "tiktok"
    label = "TikTok"
    prepare_template = "tiktok/_post_options.html"
    preview_template = "tiktok/_post_preview.html"
    confirm_template: str | None = "tiktok/_post_confirm.html"
    note_template: str | None = "tiktok/_post_note.html"
    delivery_template: str | None = "tiktok/_post_delivery.html"
    rules = rules
    value_labels: dict[str, str] = rules.PRIVACY_LABELS

    def accounts(self, session: Session) -> list[Account]:
        """Connected accounts that may receive drafts."""
        return [a for a in services.connected_accounts(session) if a.has_scope("video.upload")]

    def prepare_form(self, formdata: Any, prefix: str, account: Account) -> PrepareSection:
        """Draft, or Direct Post when it is switched on."""
        form = PrepareSection(formdata, prefix=prefix)
        if direct_post_enabled():
            form.mode.choices = [
                SelectChoice("draft", DRAFT_LABEL),
                SelectChoice("direct", DIRECT_LABEL),
            ]
        return form

    def check_prepare(self, form: Any, account: Account, common: Common) -> dict[str, str]:
        """TikTok can take the video, and the account granted what the mode needs."""
        refused = restrictions.refusal(common.video)
        if refused:
            return {"mode": f"TikTok cannot take this video: {refused}."}
        if _is_direct(form):
            if not account.has_scope("video.publish"):
                return {
                    "mode": "This account did not allow direct posting by this app; "
                    "send a draft instead."
                }
        elif not account.has_scope("video.upload"):
            return {
                "mode": "This account did not allow this app to send drafts; reconnect it "
                "and keep that permission ticked."
            }
        return {}

    def load(self, session: Session, account: Account, user: Any) -> Target:
        """The account fetched fresh, with its drafts pending against TikTok's limit."""
        pending = pending_drafts(session, account.id)
        target = self._fetch(session, account, user)
        target.pending = pending
        target.limit = int(current_app.config["POSTS_PENDING_DRAFT_LIMIT"])
        return target

    def _fetch(self, session: Session, account: Account, user: Any) -> Target:
        """Creator info (or, for inbox-only accounts, user info) fetched fresh."""
        session.commit()  # no transaction stays open across the call
        try:
            with scope(actor=Actor.user(user), account_id=account.id):
                if account.has_scope("video.publish"):
                    info = services.creator_info(session, account.id)
                    avatar = info.avatar_url or None
                    return Target(
                        account, info.nickname, info.username, avatar, info, "creator_info"
                    )
                # Inbox-only accounts (video.upload without video.publish) cannot call
                # creator_info, so the nickname and avatar come from user/info, also fetched now.
                client = services.get_client()
                profile = services.call_with_token(
                    session,
                    account.id,
                    lambda t: client.user_info(t, ["display_name", "avatar_url"]),
                )
        except ReconnectNeeded as exc:
            raise OptionsError("This TikTok account needs to be reconnected by an admin.") from exc
        except SpamRisk as exc:
            raise OptionsError(
                "TikTok says this account cannot post right now (posting limit or restriction). "
                "Try again later."
            ) from exc
        except PlatformError as exc:
            raise OptionsError(f"TikTok did not answer ({exc}). Try again in a moment.") from exc
        name = str(profile.get("display_name") or account.display_name)
        avatar_url = str(profile.get("avatar_url") or "") or None
        return Target(account, name, "", avatar_url, None, "user_info")

    def confirm_form(
        self, formdata: Any, prefix: str, prepared: Any, target: Target
    ) -> ConfirmSection | None:
        """Direct Post's settings, with the visibilities this creator offers now."""
        if not _is_direct(prepared) or target.info is None:
            return None
        form = ConfirmSection(formdata, prefix=prefix)
        options = rules.privacy_choices(target.info.privacy_level_options)
        form.privacy_level.choices = [SelectChoice("", "Choose who can view")] + [
            SelectChoice(value, label) for value, label in options
        ]
        return form

    def check_confirm(
        self, prepared: Any, confirm: Any, target: Target, common: Common
    ) -> dict[str, str]:
        """Direct Post's UX rules, whatever the browser sent."""
        if not _is_direct(prepared):
            return {}
        if confirm is None:
            return {"privacy_level": "Choose the direct post settings."}
        return rules.problems(_settings(confirm), target.info, common.duration_s)

    def mode(self, prepared: Any, common: Common) -> Mode:
        """Draft or direct, as chosen."""
        return Mode.DIRECT if _is_direct(prepared) else Mode.DRAFT

    def stored(
        self, prepared: Any, confirm: Any, target: Target, common: Common
    ) -> dict[str, Any] | None:
        """Direct Post's post_info; drafts carry nothing but the file."""
        if not _is_direct(prepared) or confirm is None:
            return None
        return rules.post_info(_settings(confirm), target.info, common.title, common.is_aigc)

    def preview(
        self, prepared: Any, confirm: Any, target: Target, common: Common
    ) -> dict[str, Any]:
        """What TikTok receives: the file; for Direct Post also the title and AI label."""
        direct = _is_direct(prepared)
        data: dict[str, Any] = {
            "mode": self.mode(prepared, common),
            "title": common.title if direct else None,
            "button": "Post to TikTok" if direct else "Send draft to TikTok",
        }
        if direct and target.info is not None:
            # Block videos longer than the creator may post, before anyone ticks consent.
            found = rules.problems(rules.DirectSettings("-"), target.info, common.duration_s)
            data["blocked"] = found.get("duration")
        return data

    def consent(self, prepared: Any, target: Target) -> str:
        """The consent line naming the account, as shown next to the checkbox."""
        who = f"“{target.nickname}”" + (f" (@{target.username})" if target.username else "")
        if _is_direct(prepared):
            return f"I want to publish this video to the TikTok account {who} now."
        return f"I want to send this video to the TikTok account {who} as a draft in its inbox."

    def limits(self, mode: Mode) -> tuple[Limit, ...]:
        """Direct Posts per creator per 24 h, or drafts pending in the inbox per 24 h."""
        cfg = current_app.config
        if mode == Mode.DIRECT:
            count = int(cfg["POSTS_DIRECT_DAILY_LIMIT"])
            why = f"TikTok lets a creator publish about {count} posts through apps per 24 h"
            return (Limit(count, why, self.name, mode=Mode.DIRECT),)
        count = int(cfg["POSTS_PENDING_DRAFT_LIMIT"])
        why = f"TikTok allows {count} pending drafts per 24 h for one account"
        return (
            Limit(
                count, why, self.name, mode=Mode.DRAFT, sent_statuses=PENDING_DRAFT, now_waits=True
            ),
        )


OPTIONS = TikTokOptions()
