"""The public website: home page, terms and a health check."""

from flask import Blueprint, Flask

bp = Blueprint("site", __name__)


def init_app(app: Flask) -> None:
    """Register the room's pages."""
    app.register_blueprint(bp)


from studio.site import views  # noqa: E402,F401
