"""Fault injection: seeded random faults and deterministic "fail the next N calls" rules."""

from __future__ import annotations

import socket
import time

from flask import Flask, Response, current_app, g, request

from studio.sandbox import holds, kit
from studio.sandbox.errors import api_response, oauth_response

KINDS = ("500", "503", "429", "401", "slow", "drop", "drop_after")
BLOCK = 1024 * 1024
GOOGLE = "/google/"  # the YouTube sandbox has its own faults and holds


def _respond(kind: str, oauth: bool) -> Response:
    """Error answer in the endpoint's own shape."""
    if kind == "401":
        return api_response(None, "access_token_invalid", "Injected: token invalid.", 401)
    status = int(kind)
    if oauth:
        name = "server_error" if status == 500 else "temporarily_unavailable"
        return oauth_response(name, f"Injected fault {status}.", status)
    code = "rate_limit_exceeded" if status == 429 else "internal_error"
    return api_response(None, code, f"Injected fault {status}.", status)


def drain_body() -> None:
    """Read and discard the request body so the client can read our answer."""
    while request.stream.read(BLOCK):
        pass


def drop_connection(drain: bool = True) -> Response:
    """Close the TCP connection without any HTTP answer.

    The request body is read first: shutting down a socket with unread input can leave the
    client blocked in send() while werkzeug drains, so a drop always follows a full request.
    """
    if drain:
        drain_body()
    sock = request.environ.get("werkzeug.socket")
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
    # Writing this to the shut socket fails; werkzeug treats that as a dropped connection.
    return Response(b"", status=500)


def register_faults(app: Flask) -> None:
    """Install the before_request hook (control endpoints and the consent page are exempt)."""

    @app.before_request
    def _inject() -> Response | None:
        path = request.path
        if path.startswith(("/_sandbox/", "/v2/auth/", GOOGLE, "/meta/")):  # their own hooks
            return None
        g.sandbox_arrived = time.monotonic()  # rate limits count from here, before any stall
        kind = kit.arrive(current_app.extensions["tiktok_sandbox"], path)
        if kind is None:
            return None
        if kind == "drop":
            return drop_connection()
        if kind == "drop_after":
            g.sandbox_drop_after = True
            return None
        drain_body()
        return _respond(kind, path.startswith("/v2/oauth/"))

    @app.after_request
    def _drop_after(response: Response) -> Response:
        """A hold parks the answered call here; `drop_after`: the answer never arrives."""
        if request.path.startswith(GOOGLE):  # YouTube's own hooks (youtube/faults.py)
            return response
        holds.pause(current_app.extensions["tiktok_sandbox"], "after")
        if g.get("sandbox_drop_after"):
            return drop_connection()
        return response
