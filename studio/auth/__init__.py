"""Staff accounts, roles, sign-in and sessions."""

from flask import Blueprint, Flask

bp = Blueprint("auth", __name__, url_prefix="/auth")


def init_app(app: Flask) -> None:
    """Register the room's pages."""
    app.register_blueprint(bp)


from studio.auth import account, views  # noqa: E402,F401
