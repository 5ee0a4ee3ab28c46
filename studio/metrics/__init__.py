"""Metrics: daily snapshots of the company's own accounts and videos, and the Performance page."""

from flask import Blueprint, Flask

bp = Blueprint("metrics", __name__, url_prefix="/metrics")


def init_app(app: Flask) -> None:
    """The Performance page only while METRICS_ENABLED; the job and command either way."""
    if app.config["METRICS_ENABLED"]:
        app.register_blueprint(bp)
    commands.init_app(app)


from studio.metrics import commands, tasks, views  # noqa: E402,F401
