"""Privacy surface: policy, deletion requests, revocation and webhooks."""

from flask import Blueprint

bp = Blueprint("privacy", __name__)

from studio.privacy import views  # noqa: E402,F401
