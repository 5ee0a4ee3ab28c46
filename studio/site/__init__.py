"""The public website: home page, terms and a health check."""

from flask import Blueprint

bp = Blueprint("site", __name__)

from studio.site import views  # noqa: E402,F401
