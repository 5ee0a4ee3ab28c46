"""Meta: connect Facebook Pages and Instagram accounts through Facebook Login, its callbacks."""

from flask import Blueprint, Flask

from studio.platforms.meta import connection
from studio.security import allow_auth_origin

bp = Blueprint("meta", __name__, url_prefix="/meta")


def init_app(app: Flask) -> None:
    """Configuration defaults (the demo's sandbox); pages and callbacks when Meta is enabled.

    The registry lists Meta twice (Facebook and Instagram): it is installed once. The jobs
    are registered either way and do nothing while Meta is off.
    """
    if "meta" in app.blueprints:
        return
    connection.configure(app)
    if connection.enabled(app.config):
        allow_auth_origin(app, connection.auth_url(app.config))
        app.register_blueprint(bp)
        app.register_blueprint(webhooks.hooks_bp)


from studio.platforms.meta import tasks, views, webhooks  # noqa: E402,F401
