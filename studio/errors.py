"""Error pages in the site's layout that never show internals."""

from __future__ import annotations

import logging
from contextlib import suppress

from flask import Flask, g, render_template, request
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import (
    BadRequest,
    Forbidden,
    HTTPException,
    InternalServerError,
    NotFound,
    SecurityError,
)

from studio import db
from studio.extensions import login_manager

log = logging.getLogger(__name__)

MESSAGES = {
    400: ("Bad request", "The request could not be understood. Reload the page and try again."),
    403: ("Forbidden", "You do not have permission to open this page."),
    404: ("Not found", "There is nothing at this address."),
    405: ("Method not allowed", "This address does not accept that kind of request."),
    413: ("Too large", "The upload is larger than this server accepts."),
    429: ("Too many requests", "You have made too many attempts. Wait a little and try again."),
    500: ("Something went wrong", "An unexpected error happened. It has been logged."),
    503: (
        "Back in a moment",
        "The database is not answering for a moment (a restart or failover). Nothing you sent "
        "was half-saved: try again in a few seconds.",
    ),
    507: ("Storage full", "The server has no room for this upload right now. Nothing was saved."),
}


class StudioError(HTTPException):
    """An HTTP error whose page shows ``message``, a plain-language sentence for the reader."""

    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message


class StudioBadRequest(StudioError, BadRequest):
    """400 with a message."""


class StudioForbidden(StudioError, Forbidden):
    """403 with a message."""


class StudioNotFound(StudioError, NotFound):
    """404 with a message."""


def render_error(code: int, message: str | None = None):
    """Render the error page for ``code`` with an optional plain-language message."""
    title, default = MESSAGES.get(code, ("Error", "The request failed."))
    wants_json = request.accept_mimetypes.best == "application/json" or request.is_json
    if wants_json:
        return {"error": {"code": code, "title": title, "message": message or default}}, code
    return render_template(
        "errors/error.html", code=code, title=title, message=message or default
    ), code


def handle_http(exc: HTTPException):
    code = exc.code or 500
    message = None
    if isinstance(exc, StudioError):
        message = exc.message
    elif code == 400 and exc.description and "CSRF" in exc.description:
        message = (
            "The form expired or was sent from elsewhere (missing CSRF token). Reload and retry."
        )
    elif code == 429:
        message = f"Too many attempts ({exc.description}). Wait a little and try again."
    return render_error(code, message)


def handle_unexpected(exc: Exception):
    if db.database_unavailable(exc):
        # A restart or failover, not a bug: the transaction rolled back, so nothing is
        # half-saved; the page says to retry instead of "something went wrong".
        log.warning("database unavailable on %s %s: %s", request.method, request.path, exc)
        with suppress(SQLAlchemyError):  # the connection may be gone already
            db.session.rollback()
        # The layout must not reach the database: it sees an anonymous visitor (flask-login
        # reads the request's user from g._login_user before loading one).
        g._login_user = login_manager.anonymous_user()
        body, code = render_error(503)
        return body, code, {"Retry-After": "5"}
    log.exception("unhandled error on %s %s", request.method, request.path)
    return render_error(500)


def handle_untrusted_host(exc: SecurityError):
    # Rendering the layout would build URLs from the untrusted Host header: answer plainly.
    return "Bad request: this host name is not served here.", 400, {"Content-Type": "text/plain"}


def register(app: Flask) -> None:
    """Install the error handlers."""
    app.register_error_handler(SecurityError, handle_untrusted_host)
    app.register_error_handler(HTTPException, handle_http)
    app.register_error_handler(InternalServerError, handle_unexpected)
    app.register_error_handler(Exception, handle_unexpected)
