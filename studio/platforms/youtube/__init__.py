"""YouTube: connect the company's channel through Google, tokens in the vault, refresh, revoke."""

from flask import Blueprint, Flask

from studio.platforms.youtube import connection
from studio.security import allow_auth_origin

bp = Blueprint("youtube", __name__, url_prefix="/youtube")


def init_app(app: Flask) -> None:
    """Configuration defaults (the demo's sandbox); pages only when YouTube is enabled.

    The refresh job is registered either way and does nothing while YouTube is off.
    """
    connection.configure(app)
    if connection.enabled(app.config):
        allow_auth_origin(app, app.config["GOOGLE_AUTH_URL"])
        app.register_blueprint(bp)


from studio.platforms.youtube import tasks, views  # noqa: E402,F401
