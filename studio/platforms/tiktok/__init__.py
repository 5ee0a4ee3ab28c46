"""The TikTok connection: Login Kit, tokens in the vault, refresh, disconnect."""

from flask import Blueprint, Flask

bp = Blueprint("tiktok", __name__, url_prefix="/tiktok")


def init_app(app: Flask) -> None:
    """Register the room's commands and dashboard panel."""
    from studio.platforms.tiktok import commands, panels

    commands.init_app(app)
    panels.register()


from studio.platforms.tiktok import views  # noqa: E402,F401
