"""TikTok's two error shapes (data API envelope and flat OAuth) and their Flask handlers."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, current_app, jsonify

from studio.sandbox.ids import log_id


class ApiError(Exception):
    """A data-API failure rendered as `{"data":{}, "error":{code,message,log_id}}`."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


class OAuthError(Exception):
    """An OAuth failure rendered as flat `{error, error_description, log_id}`."""

    def __init__(self, error: str, description: str, status: int | None = None) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status


def api_response(
    data: dict[str, Any] | None, code: str = "ok", message: str = "", status: int = 200
) -> Response:
    """Build the data-API envelope (`data` omitted only for a data-less success)."""
    body: dict[str, Any] = {"error": {"code": code, "message": message, "log_id": log_id()}}
    if data is not None or code != "ok":
        body["data"] = data or {}
    response = jsonify(body)
    response.status_code = status
    return response


def oauth_response(error: str, description: str, status: int | None = None) -> Response:
    """Build the flat OAuth error body; HTTP 200 unless configured (undocumented status)."""
    response = jsonify({"error": error, "error_description": description, "log_id": log_id()})
    state = current_app.extensions["tiktok_sandbox"]
    response.status_code = status or state.config.oauth_error_status
    return response


def register_error_handlers(app: Flask) -> None:
    """Render sandbox exceptions and unexpected crashes in TikTok's shapes."""

    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError) -> Response:
        return api_response(None, exc.code, exc.message, exc.status)

    @app.errorhandler(OAuthError)
    def _oauth_error(exc: OAuthError) -> Response:
        return oauth_response(exc.error, exc.description, exc.status)

    @app.errorhandler(404)
    def _not_found(_exc: Exception) -> Response:
        return api_response(None, "invalid_params", "Unknown endpoint.", 404)

    @app.errorhandler(405)
    def _bad_method(_exc: Exception) -> Response:
        return api_response(None, "invalid_params", "Method not allowed.", 405)

    @app.errorhandler(500)
    def _internal(_exc: Exception) -> Response:
        return api_response(None, "internal_error", "Internal error.", 500)
