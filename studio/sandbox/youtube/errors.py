"""Google's two error shapes (API `{"error": {code, message, errors, status}}`, flat OAuth)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify
from werkzeug.exceptions import InternalServerError

STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    410: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}
NO_STORE = {"Cache-Control": "no-cache, no-store, max-age=0, must-revalidate", "Pragma": "no-cache"}


class GoogleError(Exception):
    """An API failure; clients branch on `errors[0].reason`, never on the message."""

    def __init__(
        self,
        status: int,
        reason: str,
        message: str,
        domain: str = "global",
        location: str | None = None,
        location_type: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.reason = reason
        self.message = message
        self.domain = domain
        self.location = location
        self.location_type = location_type

    def body(self) -> dict[str, Any]:
        """The JSON error document."""
        item: dict[str, Any] = {"message": self.message, "domain": self.domain}
        item["reason"] = self.reason
        if self.location:
            item["location"] = self.location
            item["locationType"] = self.location_type or "other"
        error: dict[str, Any] = {"code": self.status, "message": self.message, "errors": [item]}
        if self.status in STATUS_NAMES:
            error["status"] = STATUS_NAMES[self.status]
        return {"error": error}


class OAuthError(Exception):
    """A token/revoke failure rendered as flat `{error, error_description}`."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status


def google_response(exc: GoogleError) -> Response:
    """Render an API error (401s carry Google's WWW-Authenticate header)."""
    response = jsonify(exc.body())
    response.status_code = exc.status
    if exc.status == 401 and exc.reason == "authError":
        response.headers["WWW-Authenticate"] = (
            'Bearer realm="https://accounts.google.com/", error="invalid_token"'
        )
    return response


def oauth_response(exc: OAuthError) -> Response:
    """Render an OAuth error (never cached, like every token answer)."""
    response = jsonify({"error": exc.error, "error_description": exc.description})
    response.status_code = exc.status
    response.headers.update(NO_STORE)
    return response


def invalid_metadata(reason: str, message: str, location: str) -> GoogleError:
    """A 400 in domain youtube.video naming the broken field."""
    return GoogleError(400, reason, message, "youtube.video", location, "other")


def bad_parameter(reason: str, message: str, parameter: str) -> GoogleError:
    """A 400 about a query parameter."""
    return GoogleError(400, reason, message, "global", parameter, "parameter")


def install(bp: Blueprint) -> None:
    """Render sandbox exceptions and crashes under `bp` in Google's shapes."""

    @bp.errorhandler(GoogleError)
    def _google(exc: GoogleError) -> Response:
        return google_response(exc)

    @bp.errorhandler(OAuthError)
    def _oauth(exc: OAuthError) -> Response:
        return oauth_response(exc)

    @bp.errorhandler(InternalServerError)
    def _internal(_exc: InternalServerError) -> Response:
        return google_response(GoogleError(500, "backendError", "Backend Error"))
