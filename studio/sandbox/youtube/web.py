"""The `/google` blueprint: OAuth, Data API reads and resumable uploads, with faults."""

from __future__ import annotations

from flask import Blueprint, Response

from studio.sandbox.youtube import api, errors, faults, oauth, sessions, stats, upload
from studio.sandbox.youtube.errors import GoogleError, google_response

google = Blueprint("google", __name__, url_prefix="/google")
for child in (oauth.bp, api.bp, stats.bp, sessions.bp, upload.bp):
    google.register_blueprint(child)
errors.install(google)
faults.install(google)


@google.route("/<path:rest>", methods=["GET", "POST", "PUT", "DELETE", "PATCH"])
def not_found(rest: str) -> Response:
    """Unknown paths and methods (GET /revoke too) answer Google's 404."""
    return google_response(GoogleError(404, "notFound", "Not Found"))
