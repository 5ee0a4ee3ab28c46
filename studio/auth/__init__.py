"""Staff accounts, roles, sign-in and sessions."""

from flask import Blueprint

bp = Blueprint("auth", __name__, url_prefix="/auth")

from studio.auth import account, views  # noqa: E402,F401
