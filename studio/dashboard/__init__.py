"""The signed-in staff dashboard shell."""

from flask import Blueprint

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")

from studio.dashboard import views  # noqa: E402,F401
