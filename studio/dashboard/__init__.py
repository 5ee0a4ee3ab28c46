"""The signed-in staff dashboard shell: every room's card on one page."""

from flask import Blueprint, Flask

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")


def init_app(app: Flask) -> None:
    """Register the room's pages."""
    app.register_blueprint(bp)


from studio.dashboard import views  # noqa: E402,F401
