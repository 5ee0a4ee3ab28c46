"""Every platform package, registered explicitly in one list."""

from __future__ import annotations

from flask import Flask
from sqlalchemy.orm import Session

from studio.platforms import meta, tiktok, youtube
from studio.platforms.meta import connection as meta_connection
from studio.platforms.tiktok import services as tiktok_services
from studio.platforms.youtube import connection as youtube_connection

# (package, display name, every account of it ever connected) in the order pages list them.
PLATFORMS = (
    (tiktok, "TikTok", tiktok_services.all_accounts),
    (youtube, "YouTube", youtube_connection.all_accounts),
    (meta, "Facebook", meta_connection.facebook_accounts),  # meta installs once for both
    (meta, "Instagram", meta_connection.instagram_accounts),
)


def init_app(app: Flask) -> None:
    """Install every platform's pages, callbacks, commands and jobs."""
    for package, _name, _accounts in PLATFORMS:
        package.init_app(app)


def account_choices(session: Session) -> list[tuple[str, str]]:
    """(id, label) of every account ever connected on every platform, for filters."""
    return [
        (str(a.id), f"{name}: {a.display_name or a.remote_id} (#{a.id})")
        for _package, name, accounts in PLATFORMS
        for a in accounts(session)
    ]
