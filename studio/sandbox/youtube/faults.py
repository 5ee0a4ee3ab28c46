"""Fault injection for the Google endpoints: "fail the Nth call" rules and a seeded rate."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, g, request

from studio.sandbox import holds, kit
from studio.sandbox.faults import drain_body, drop_connection
from studio.sandbox.youtube.errors import GoogleError, OAuthError, google_response, oauth_response

# drop_mid: a chunk PUT is cut after half its body (whole units of it are kept); other
# calls are simply dropped.
KINDS = ("500", "503", "429", "401", "slow", "drop", "drop_after", "drop_mid")
OAUTH_PATHS = ("/google/token", "/google/revoke")
EXEMPT = ("/google/o/",)  # the consent page is a browser page, never faulted


def _answer(kind: str, path: str) -> Response:
    """An injected error in the endpoint's own shape."""
    status = 500 if kind == "401" and path.startswith(OAUTH_PATHS) else int(kind)
    if path.startswith(OAUTH_PATHS):
        name = "server_error" if status == 500 else "temporarily_unavailable"
        return oauth_response(OAuthError(name, f"Injected fault {status}.", status))
    if status == 401:
        error = GoogleError(401, "authError", "Invalid Credentials", "global", "Authorization")
    elif status == 429:
        error = GoogleError(429, "rateLimitExceeded", "Rate Limit Exceeded", "youtube.quota")
    else:
        error = GoogleError(status, "backendError", "Backend Error")
    return google_response(error)


def install(bp: Blueprint) -> None:
    """Before/after hooks on the Google blueprint (holds, rules, random faults)."""

    @bp.before_request
    def _inject() -> Response | None:
        path = request.path
        if path.startswith(EXEMPT):
            return None
        kind = kit.arrive(current_app.extensions["youtube_sandbox"], path)
        if kind is None:
            return None
        if kind == "drop_after":
            g.youtube_drop_after = True
            return None
        if kind == "drop_mid" and request.method == "PUT" and request.content_length:
            g.youtube_drop_mid = True
            return None
        if kind in ("drop", "drop_mid"):
            return drop_connection()
        drain_body()
        return _answer(kind, path)

    @bp.after_request
    def _after(response: Response) -> Response:
        """A hold parks the answered call here; `drop_after`: the answer never arrives."""
        holds.pause(current_app.extensions["youtube_sandbox"], "after")
        if g.get("youtube_drop_after"):
            return drop_connection()
        return response
