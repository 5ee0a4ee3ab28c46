"""Before and after every Graph and rupload call: version, faults, holds, usage headers."""

from __future__ import annotations

import json

from flask import Flask, Response, current_app, g, request

from studio.sandbox import holds, kit
from studio.sandbox.faults import drain_body, drop_connection
from studio.sandbox.meta.errors import GraphError, RuploadError, unknown_object
from studio.sandbox.meta.state import MetaState

PREFIXES = ("/meta/graph/", "/meta/rupload/")
LIMIT_KINDS = {
    "4": "Application request limit reached",
    "17": "User request limit reached",
    "32": "Page request limit reached",
    "613": "Calls to this api have exceeded the rate limit.",
    "80001": "There have been too many calls to this Page account. Wait a bit and try again.",
    "80002": "There have been too many calls to this Instagram account. Wait a bit and try again.",
}
KINDS = ("500", "503", "100/33", "190", "slow", "drop", "drop_after", "drop_mid", *LIMIT_KINDS)


def error_for(kind: str, rupload: bool) -> Exception:
    """The injected error, in the endpoint's own shape."""
    if kind in ("500", "503") and rupload:
        return RuploadError(int(kind), "ServiceUnavailableError", "Injected fault.", True)
    if kind == "500":
        return GraphError(1, "An unknown error has occurred.", status=500, transient=True)
    if kind == "503":
        return GraphError(2, "Service temporarily unavailable", status=503, transient=True)
    if kind == "100/33":
        return unknown_object(request.path.rstrip("/").rsplit("/", 1)[-1])
    if kind == "190":
        return GraphError(190, "Error validating access token: Session has expired.", subcode=463)
    g.meta_usage = ("X-App-Usage", json.dumps({"call_count": 100, "total_time": 100}))
    return GraphError(int(kind), LIMIT_KINDS[kind], transient=True)


def register(app: Flask) -> None:
    """Install the hooks (only paths under /meta/graph/ and /meta/rupload/)."""

    @app.before_request
    def _before() -> Response | None:
        if not request.path.startswith(PREFIXES):
            return None
        state: MetaState = current_app.extensions["meta_sandbox"]
        parts = request.path.split("/")
        version = parts[4 if request.path.startswith(PREFIXES[1]) else 3 :][:1]
        if version and version[0] not in state.config.versions:
            message = f"Unsupported or retired Graph API version {version[0]}."
            return GraphError(2500, message).response()
        kind = kit.arrive(state, request.path)
        if kind is None:
            return None
        if kind == "drop":
            return drop_connection()
        if kind in ("drop_after", "drop_mid"):
            setattr(g, f"meta_{kind}", True)
            return None
        drain_body()
        exc = error_for(kind, request.path.startswith(PREFIXES[1]))
        assert isinstance(exc, GraphError | RuploadError)
        response = exc.response()
        _usage_header(response)
        return response

    @app.after_request
    def _after(response: Response) -> Response:
        if not request.path.startswith(PREFIXES):
            return response
        holds.pause(current_app.extensions["meta_sandbox"], "after")
        _usage_header(response)
        if g.get("meta_drop_after"):
            return drop_connection()
        return response


def _usage_header(response: Response) -> None:
    usage = g.get("meta_usage")
    if usage is not None:
        response.headers[usage[0]] = usage[1]
