"""Request body caps: a body over its endpoint's cap gets 413, whatever the transfer encoding."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from typing import IO, Any, BinaryIO, TypeVar, cast

from flask import Flask, Response, current_app, jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge

F = TypeVar("F", bound=Callable[..., Any])
ENVIRON_KEY = "studio.body"


class BodyTooLarge(RequestEntityTooLarge):
    """The 413 of a body over its cap, carrying the cap (rooms put it in words)."""

    def __init__(self, cap: int) -> None:
        super().__init__()
        self.cap = cap


def too_large(cap: int) -> BodyTooLarge:
    """The 413 for a body over ``cap``."""
    return BodyTooLarge(cap)


class CappedInput(io.RawIOBase):
    """``wsgi.input`` that reads at most ``cap + 1`` bytes and raises 413 past the cap.

    Werkzeug's own ``max_content_length`` guard is a LimitedStream whose ``read()`` stops at the
    limit and returns what it has: a chunked body one byte over the cap is silently cut, and the
    truncated body then fails (or, worse, passes) whatever checks it next. This reader never
    returns a truncated body: the byte after the cap is read and turned into a 413.

    ``enforce`` also gives it the declared Content-Length (``length``), past which it reads
    nothing, so a view may stream the body from it directly (``body_stream``): ``read`` hands
    on the server's own bytes objects, without the copy into a caller's buffer.
    """

    def __init__(self, stream: BinaryIO, cap: int) -> None:
        super().__init__()
        self.stream, self.cap, self.consumed = stream, cap, 0
        self.length: int | None = None

    def readable(self) -> bool:
        return True

    def _want(self, size: int) -> int:
        if self.length is not None and self.length <= self.cap:
            return min(size, self.length - self.consumed)  # the body ends where it said
        want = min(size, self.cap + 1 - self.consumed)
        if want <= 0:
            raise too_large(self.cap)
        return want

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            return self.readall()
        want = self._want(size)
        data = self.stream.read(want) if want > 0 else b""
        self.consumed += len(data)
        if self.consumed > self.cap:
            raise too_large(self.cap)
        return data

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


class BodyCaps:
    """WSGI middleware: every request's input goes through a CappedInput (the default cap).

    The stream is wrapped before Flask sees the request, so no reader (form parsing, CSRF,
    ``get_data``) can get past it; ``enforce`` then narrows the cap to the endpoint's own.
    """

    def __init__(self, wsgi_app: Callable[..., Iterable[bytes]], cap: int) -> None:
        self.wsgi_app, self.cap = wsgi_app, cap

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        environ["wsgi.input"] = environ[ENVIRON_KEY] = CappedInput(environ["wsgi.input"], self.cap)
        return self.wsgi_app(environ, start_response)


def body_cap(cap: int | str) -> Callable[[F], F]:
    """Give a view its own body cap: bytes, or the name of a config key holding them."""

    def decorate(view: F) -> F:
        view.body_cap = cap  # type: ignore[attr-defined]
        return view

    return decorate


def endpoint_cap(app: Flask, endpoint: str | None) -> int:
    """The cap of ``endpoint``: its own (``body_cap``) or MAX_BODY_BYTES, never above
    MAX_CONTENT_LENGTH."""
    cap: int | str = app.config["MAX_BODY_BYTES"]
    view = app.view_functions.get(endpoint or "")
    if view is not None and hasattr(view, "body_cap"):
        cap = view.body_cap
    cap = int(app.config[cap]) if isinstance(cap, str) else int(cap)
    ceiling = app.config.get("MAX_CONTENT_LENGTH")
    return min(cap, int(ceiling)) if ceiling else cap


def enforce() -> None:
    """Before any other hook reads the body: 413 for a declared length over the endpoint's cap,
    and the endpoint's cap on the stream for the rest (chunked bodies declare nothing)."""
    cap = endpoint_cap(current_app, request.endpoint)
    if request.content_length is not None and request.content_length > cap:
        raise too_large(cap)
    capped = request.environ.get(ENVIRON_KEY)
    if isinstance(capped, CappedInput):
        capped.cap, capped.length = cap, request.content_length
    # Werkzeug's own guard would cut a streamed body at its limit without an error; ours
    # (cap + 1 bytes at most) always fires first.
    request.max_content_length = cap + 1


def body_stream() -> IO[bytes]:
    """The request body for a view that streams it in blocks: the capped input itself (its
    ``read`` copies nothing), or ``request.stream`` outside the middleware."""
    capped = request.environ.get(ENVIRON_KEY)
    if isinstance(capped, CappedInput) and capped.consumed == 0:
        return cast(IO[bytes], capped)  # a RawIOBase reads like a binary file
    return request.stream


def close_connection(response: Any) -> Any:
    """A 413 closes the connection, so the rest of the body is never read.

    The development server (HTTP/1.1 keep-alive) honours the header; gunicorn's sync workers
    close after every response anyway.
    """
    if response.status_code == 413:
        response.headers["Connection"] = "close"
    return response


def init_app(app: Flask) -> None:
    """Wrap the WSGI input and register ``enforce`` (call before any extension that reads forms)."""
    app.wsgi_app = BodyCaps(app.wsgi_app, int(app.config["MAX_BODY_BYTES"]))  # type: ignore[method-assign]
    app.before_request(enforce)
    app.after_request(close_connection)


def json_too_large(_exc: RequestEntityTooLarge) -> tuple[Response, int]:
    """The 413 a machine caller (a platform's webhook or callback) reads."""
    return jsonify({"error": "body too large"}), 413
