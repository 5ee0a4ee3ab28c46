"""Admin management of staff accounts."""

from flask import Blueprint

bp = Blueprint("staff", __name__, url_prefix="/staff")

from studio.staff import views  # noqa: E402,F401
