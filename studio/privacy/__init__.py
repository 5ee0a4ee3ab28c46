"""Privacy surface: inventory, policy, deletion requests, revocation, webhooks, retention."""

from flask import Blueprint, Flask

bp = Blueprint("privacy", __name__)


def init_app(app: Flask) -> None:
    """Register the purge command and the dashboard panel."""
    from studio.privacy import commands, panels

    commands.init_app(app)
    panels.register()


from studio.privacy import hooks, public, staff, views  # noqa: E402,F401
