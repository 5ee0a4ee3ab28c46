"""Admin management of staff accounts."""

from flask import Blueprint, Flask

bp = Blueprint("staff", __name__, url_prefix="/staff")


def init_app(app: Flask) -> None:
    """Register the room's pages."""
    app.register_blueprint(bp)


from studio.staff import views  # noqa: E402,F401
