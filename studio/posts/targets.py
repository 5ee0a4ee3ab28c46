"""The targets of a post: each ticked account with its platform's options section and rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session
from wtforms import Form

from studio.platforms import registry
from studio.platforms.models import Account, Mode
from studio.platforms.options import Common, OptionsError, Target, prefix
from studio.platforms.registry import Platform
from studio.videos.models import Video


class TargetError(Exception):
    """A target's options break its platform's rules; the message is for people."""

    def __init__(self, message: str, field_errors: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field_errors = field_errors or {}


@dataclass
class Choice:
    """One account offered (or ticked) on the prepare page, with its options section."""

    platform: Platform
    account: Account
    prepared: Form
    ticked: bool = False
    target: Target | None = None
    confirm: Form | None = None
    preview: dict[str, Any] = field(default_factory=dict)

    @property
    def prefix(self) -> str:
        """The prefix of the section's field names."""
        return prefix(self.account)

    @property
    def consent(self) -> str:
        """The consent sentence naming this account."""
        assert self.target is not None
        return self.platform.options.consent(self.prepared, self.target)


def usable(session: Session) -> list[tuple[Platform, Account]]:
    """Every account that may receive a post, in the registry's order."""
    return [(p, a) for p in registry.PLATFORMS for a in p.options.accounts(session)]


def offered(session: Session, formdata: Any, ticked: list[int]) -> list[Choice]:
    """A section for every usable account, filled from the form; the ticked ones marked."""
    return [
        Choice(p, a, p.options.prepare_form(formdata, prefix(a), a), a.id in ticked)
        for p, a in usable(session)
    ]


def common(video: Video, title: str, caption: str, hashtags: list[str], is_aigc: bool) -> Common:
    """What every platform's rules see of the post and its video."""
    return Common(
        caption=caption,
        hashtags=tuple(hashtags),
        title=title,
        is_aigc=is_aigc,
        duration_s=video.duration_s or 0.0,
        width=video.width or 0,
        height=video.height or 0,
        fps=video.fps or 0.0,
        size_bytes=video.size_bytes or 0,
        container=video.container,
        video_codec=video.video_codec or None,
    )


def _errors(choice: Choice, found: dict[str, str]) -> dict[str, str]:
    """Field errors by full field name (the post's own fields keep their names)."""
    named = {}
    for name, message in found.items():
        named[choice.prefix + name if name in choice.prepared else name] = message
    return named


def check_prepared(chosen: list[Choice], wanted: list[int], shared: Common) -> None:
    """Each ticked account is offered here and its section keeps its platform's rules."""
    missing = set(wanted) - {c.account.id for c in chosen}
    if not wanted or missing:
        raise TargetError(
            "Choose one or more connected accounts.",
            {"account_id": "Choose one or more of the connected accounts listed here."},
        )
    found: dict[str, str] = {}
    for choice in chosen:
        choice.prepared.validate()
        for name, errors in choice.prepared.errors.items():
            found.setdefault(choice.prefix + name, str(errors[0]))
        rules = choice.platform.options.check_prepare(choice.prepared, choice.account, shared)
        for name, message in _errors(choice, rules).items():
            found.setdefault(name, message)
    if found:
        raise TargetError(" ".join(dict.fromkeys(found.values())), found)


def load(session: Session, chosen: list[Choice], user: Any) -> None:
    """Each target as its platform shows it now (fetched fresh where it can); raises TargetError."""
    for choice in chosen:
        try:
            choice.target = choice.platform.options.load(session, choice.account, user)
        except OptionsError as exc:
            raise TargetError(exc.message) from exc


def confirm(formdata: Any, chosen: list[Choice], shared: Common) -> None:
    """The preview's choices of each target, and what each platform will receive."""
    for choice in chosen:
        assert choice.target is not None
        options = choice.platform.options
        choice.confirm = options.confirm_form(
            formdata, choice.prefix, choice.prepared, choice.target
        )
        choice.preview = options.preview(choice.prepared, choice.confirm, choice.target, shared)


def check_confirmed(chosen: list[Choice], shared: Common) -> None:
    """The preview's choices keep each platform's rules, whatever the browser sent."""
    found: dict[str, str] = {}
    for choice in chosen:
        assert choice.target is not None
        rules = choice.platform.options.check_confirm(
            choice.prepared, choice.confirm, choice.target, shared
        )
        for name, message in rules.items():
            found.setdefault(choice.prefix + name, message)
    if found:
        raise TargetError(" ".join(dict.fromkeys(found.values())), found)


def consent_text(chosen: list[Choice]) -> str:
    """One consent naming every target."""
    return " ".join(c.consent for c in chosen)


def deliveries(chosen: list[Choice], shared: Common) -> list[tuple[int, Mode, Any]]:
    """(account id, mode, options) of each delivery, as consented."""
    planned = []
    for choice in chosen:
        assert choice.target is not None
        options = choice.platform.options
        stored = options.stored(choice.prepared, choice.confirm, choice.target, shared)
        planned.append((choice.account.id, options.mode(choice.prepared, shared), stored))
    return planned


def value_labels() -> dict[str, str]:
    """Every platform's labels for stored option values (visibility), for the post page."""
    return {k: v for p in registry.PLATFORMS for k, v in p.options.value_labels.items()}
