"""Every platform package, registered explicitly: one `Platform` record per platform.

Adding a platform means adding its package and one line to `PLATFORMS`. The rooms above
(videos, posts, privacy, pages) reach a platform only through its record here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from flask import Flask
from sqlalchemy.orm import Session

from studio.platforms import meta, tiktok, youtube
from studio.platforms.meta import connection as meta_connection
from studio.platforms.meta.page_reels import Sender as FacebookSender
from studio.platforms.meta.reels import Sender as InstagramSender
from studio.platforms.models import Account
from studio.platforms.sending import Run
from studio.platforms.tiktok import services as tiktok_services
from studio.platforms.tiktok.sender import Sender as TikTokSender
from studio.platforms.youtube import connection as youtube_connection


class UnknownPlatform(LookupError):
    """No platform of that name is registered (a row from a platform since removed)."""


@dataclass(frozen=True)
class Platform:
    """What the rest of the app may know about one platform."""

    name: str  # Account.platform and Delivery.platform; the URL prefix of its pages
    label: str  # how people call it
    init_app: Callable[[Flask], None]  # its pages, callbacks, commands and jobs
    accounts: Callable[[Session], Sequence[Account]]  # every account ever connected
    sender: type[Run] | None = None  # moves a delivery to it; None: cannot publish yet


PLATFORMS: tuple[Platform, ...] = (
    Platform("tiktok", "TikTok", tiktok.init_app, tiktok_services.all_accounts, TikTokSender),
    Platform("youtube", "YouTube", youtube.init_app, youtube_connection.all_accounts),
    # The meta package installs once for both (init_app below skips a repeated installer).
    Platform(
        "facebook", "Facebook", meta.init_app, meta_connection.facebook_accounts, FacebookSender
    ),
    Platform(
        "instagram",
        "Instagram",
        meta.init_app,
        meta_connection.instagram_accounts,
        InstagramSender,
    ),  # fmt: skip
)


def register(platform: Platform) -> None:
    """Add a platform at run time (tests register a dummy one this way)."""
    global PLATFORMS
    PLATFORMS = (*(p for p in PLATFORMS if p.name != platform.name), platform)


def unregister(name: str) -> None:
    """Remove a platform added by `register`."""
    global PLATFORMS
    PLATFORMS = tuple(p for p in PLATFORMS if p.name != name)


def get(name: str) -> Platform:
    """The platform called `name`."""
    for platform in PLATFORMS:
        if platform.name == name:
            return platform
    raise UnknownPlatform(name)


def sender_of(name: str) -> type[Run]:
    """The platform's sender; the generic one when it cannot publish (yet)."""
    return get(name).sender or Run


def init_app(app: Flask) -> None:
    """Install every platform's pages, callbacks, commands and jobs."""
    for install in dict.fromkeys(platform.init_app for platform in PLATFORMS):
        install(app)


def account_choices(session: Session) -> list[tuple[str, str]]:
    """(id, label) of every account ever connected on every platform, for filters."""
    return [
        (str(a.id), f"{p.label}: {a.display_name or a.remote_id} (#{a.id})")
        for p in PLATFORMS
        for a in p.accounts(session)
    ]
