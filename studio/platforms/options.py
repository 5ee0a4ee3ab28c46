"""The options part of the platform interface: a target's form section, rules, stored options."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy.orm import Session
from wtforms import Form

from studio.platforms.limits import Limit
from studio.platforms.models import Account, Mode
from studio.platforms.video import VideoInfo, info_of


class OptionsError(Exception):
    """A target cannot receive the post now; the message is for people."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Common:
    """What staff prepared once for every target, and the video's facts the rules need."""

    caption: str
    hashtags: tuple[str, ...]
    title: str  # caption and hashtags composed
    is_aigc: bool
    duration_s: float
    width: int
    height: int
    fps: float = 0.0
    size_bytes: int = 0
    container: str = ""
    video_codec: str | None = None

    @property
    def video(self) -> VideoInfo:
        """The video's facts as the platforms' video rules read them."""
        return info_of(self, self.size_bytes)


@dataclass
class Target:
    """One account that will receive the post, as shown on the preview."""

    account: Account
    nickname: str
    username: str
    avatar_url: str | None
    info: Any = None  # what the platform said just now (TikTok: CreatorInfo), if anything
    source: str = "account"
    pending: int = 0
    limit: int = 5
    extra: dict[str, Any] = field(default_factory=dict)


class Options(Protocol):
    """What a platform offers the prepare and preview pages for one target account."""

    prepare_template: str  # its section on the prepare page
    preview_template: str  # its card on the preview: what the platform will receive
    confirm_template: str | None  # its choices beside the consent, if it has any
    note_template: str | None  # a note after its accounts on the prepare page (where captions go)
    delivery_template: str | None  # its facts of one delivery on the post page (mode, settings)
    value_labels: dict[str, str]  # stored option values in words (visibility), for the post page

    def accounts(self, session: Session) -> list[Account]:
        """Connected accounts that may receive posts."""
        ...

    def prepare_form(self, formdata: Any, prefix: str, account: Account) -> Form:
        """The section on the prepare page (fields named with the target's prefix)."""
        ...

    def check_prepare(self, form: Form, account: Account, common: Common) -> dict[str, str]:
        """Every rule the prepared section breaks, {field: plain message}."""
        ...

    def load(self, session: Session, account: Account, user: Any) -> Target:
        """The target as the platform shows it now; raises OptionsError."""
        ...

    def confirm_form(
        self, formdata: Any, prefix: str, prepared: Form, target: Target
    ) -> Form | None:
        """The choices made on the preview, beside the consent (None when there are none)."""
        ...

    def check_confirm(
        self, prepared: Form, confirm: Form | None, target: Target, common: Common
    ) -> dict[str, str]:
        """Every rule the preview's choices break, {field: plain message}."""
        ...

    def mode(self, prepared: Form, common: Common) -> Mode:
        """The delivery's mode."""
        ...

    def stored(
        self, prepared: Form, confirm: Form | None, target: Target, common: Common
    ) -> dict[str, Any] | None:
        """Delivery.options: exactly what the platform will receive beyond the file."""
        ...

    def preview(
        self, prepared: Form, confirm: Form | None, target: Target, common: Common
    ) -> dict[str, Any]:
        """What the preview card shows of what the platform will receive."""
        ...

    def consent(self, prepared: Form, target: Target) -> str:
        """The consent sentence naming the account."""
        ...

    def limits(self, mode: Mode) -> Sequence[Limit]:
        """What the platform lets an account (or the project) publish per window, checked when
        a delivery of ``mode`` is planned (studio/platforms/limits.py)."""
        ...


class ChosenOnPrepare:
    """Options of a platform whose target is the account as connected (nothing to fetch for a
    preview) and whose every choice is made on the prepare page (nothing beside the consent)."""

    def check_prepare(self, form: Any, account: Account, common: Common) -> dict[str, str]:
        """Every rule the prepared section breaks (each platform's own)."""
        raise NotImplementedError

    def load(self, session: Session, account: Account, user: Any) -> Target:
        """The account as stored when it was connected."""
        handle = (account.handle or "").removeprefix("@")
        name = account.display_name or account.remote_id
        return Target(account, name, handle, account.avatar_url, None, "account")

    def confirm_form(self, formdata: Any, prefix: str, prepared: Any, target: Target) -> None:
        """Every choice is made on the prepare page."""
        return None

    def check_confirm(
        self, prepared: Any, confirm: Any, target: Target, common: Common
    ) -> dict[str, str]:
        """The prepared section again: the preview's hidden fields may have been changed."""
        return self.check_prepare(prepared, target.account, common)


def prefix(account: Account) -> str:
    """The target's field prefix, so several targets share one page."""
    return f"a{account.id}-"
