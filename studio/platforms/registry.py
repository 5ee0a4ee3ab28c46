"""Every platform package, registered explicitly in one list."""

from __future__ import annotations

from flask import Flask
from sqlalchemy.orm import Session

from studio.platforms import tiktok
from studio.platforms.tiktok import services as tiktok_services


def init_app(app: Flask) -> None:
    """Install every platform's pages, callbacks, commands and jobs."""
    tiktok.init_app(app)


def account_choices(session: Session) -> list[tuple[str, str]]:
    """(id, label) of every account ever connected, for filters."""
    return [
        (str(a.id), f"{a.display_name or a.remote_id} (#{a.id})")
        for a in tiktok_services.all_accounts(session)
    ]
