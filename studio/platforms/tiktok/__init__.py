"""The TikTok connection: Login Kit, tokens in the vault, refresh, disconnect."""

from flask import Blueprint, Flask

bp = Blueprint("tiktok", __name__, url_prefix="/tiktok")


def init_app(app: Flask) -> None:
    """Register the platform's pages and commands."""
    app.register_blueprint(bp)
    app.register_blueprint(webhooks.hooks_bp)
    commands.init_app(app)


from studio.platforms.tiktok import commands, tasks, views, webhooks  # noqa: E402,F401
