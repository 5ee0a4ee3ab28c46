"""Privacy surface: inventory, policy, deletion requests, revocation, webhooks, retention."""

from flask import Blueprint, Flask

bp = Blueprint("privacy", __name__)


def init_app(app: Flask) -> None:
    """Register the room's pages and its commands."""
    app.register_blueprint(bp)
    commands.init_app(app)


from studio.privacy import (  # noqa: E402,F401
    commands,
    hooks,
    public,
    rights_views,
    staff,
    tasks,
    verify_views,
    views,
)
