"""Every platform package, registered explicitly in one list."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType

from flask import Flask
from sqlalchemy.orm import Session

from studio.platforms import tiktok, youtube
from studio.platforms.models import Account
from studio.platforms.options import Options
from studio.platforms.tiktok import options as tiktok_options
from studio.platforms.tiktok import services as tiktok_services
from studio.platforms.youtube import connection as youtube_connection
from studio.platforms.youtube import options as youtube_options


@dataclass(frozen=True)
class Platform:
    """One platform: its name, label, package, every account ever connected, its options."""

    name: str
    label: str
    package: ModuleType
    accounts: Callable[[Session], list[Account]]
    options: Options


# In the order pages list them.
PLATFORMS = (
    Platform("tiktok", "TikTok", tiktok, tiktok_services.all_accounts, tiktok_options.OPTIONS),
    Platform(
        "youtube", "YouTube", youtube, youtube_connection.all_accounts, youtube_options.OPTIONS
    ),
)
_BY_NAME = {p.name: p for p in PLATFORMS}


def get(name: str) -> Platform:
    """The platform called `name`; KeyError for one not registered."""
    return _BY_NAME[name]


def init_app(app: Flask) -> None:
    """Install every platform's pages, callbacks, commands and jobs."""
    for platform in PLATFORMS:
        platform.package.init_app(app)


def account_choices(session: Session) -> list[tuple[str, str]]:
    """(id, label) of every account ever connected on every platform, for filters."""
    return [
        (str(a.id), f"{p.label}: {a.display_name or a.remote_id} (#{a.id})")
        for p in PLATFORMS
        for a in p.accounts(session)
    ]
