"""The resumable upload endpoints (JSON; CSRF token in the X-CSRFToken header)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import Blueprint, current_app, jsonify, request, url_for
from flask_login import current_user
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from studio import db
from studio.bodies import BodyTooLarge, body_cap, body_stream
from studio.errors import MESSAGES, StudioError
from studio.security import SURROGATE_MESSAGE, strict_json
from studio.videos import uploads
from studio.videos.sizes import describe_limit

bp = Blueprint("uploads", __name__, url_prefix="/uploads")
PART_TYPE = "application/offset+octet-stream"
ID = "<upload_id>"
TITLES = {
    401: "Signed out",
    409: "Offset mismatch",
    415: "Wrong content type",
    422: "Video rejected",
    423: "Upload busy",
}


def error(status: int, message: str | None, **extra: Any):
    """A JSON error in the app's shape: {"error": {"code", "title", "message", ...}}."""
    title = TITLES.get(status) or MESSAGES.get(status, ("Error", ""))[0]
    body = {"error": {"code": status, "title": title, "message": message, **extra}}
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


def api_login_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Signed-in staff only; others get a JSON 401 rather than a redirect."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return error(401, "Your session has ended. Sign in again, then resume the upload.")
        return view(*args, **kwargs)

    return wrapped


@bp.errorhandler(uploads.UploadError)
def _upload_error(exc: uploads.UploadError):
    extra: dict[str, Any] = {}
    if exc.violations:
        extra["violations"] = exc.violations
    if exc.offset is not None:
        extra["offset"] = exc.offset
    response = error(exc.status, exc.message, **extra)
    if exc.offset is not None:
        response.headers["Upload-Offset"] = str(exc.offset)
    return response


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException):
    code = exc.code or 500
    message = exc.message if isinstance(exc, StudioError) else None
    message = message or MESSAGES.get(code, ("", exc.description))[1]
    if code == 400 and "CSRF" in (exc.description or ""):
        message = "The page expired (missing or old CSRF token). Reload the page and resume."
    elif isinstance(exc, RequestEntityTooLarge):
        cap = exc.cap if isinstance(exc, BodyTooLarge) else None
        cap = cap or current_app.config.get("MAX_CONTENT_LENGTH")
        limit = f" ({describe_limit(int(cap))})" if cap else ""
        message = f"This part is larger than the server accepts in one request{limit}."
    return error(code, message)


def _upload_json(upload: Any) -> dict[str, Any]:
    return {
        "id": upload.id,
        "url": url_for("videos.uploads.part", upload_id=upload.id),
        "offset": upload.offset,
        "length": upload.length,
        "name": upload.display_name,
        "part_bytes": uploads.part_sizes()[0],
        "max_part_bytes": uploads.part_sizes()[1],
        "expires_at": upload.expires_at.isoformat(),
    }


def _request_fields() -> Any:
    """The JSON object or form fields sent; anything unreadable counts as no fields."""
    if not request.is_json:
        return request.form
    try:
        data = strict_json(request.get_data(), allow_nul=True)  # NUL: the name is cleaned
    except ValueError as exc:
        if str(exc) == SURROGATE_MESSAGE:
            raise uploads.UploadError(400, SURROGATE_MESSAGE) from None
        data = None
    return data if isinstance(data, dict) else {}


@bp.post("")
@api_login_required
def create():
    data = _request_fields()
    upload = uploads.start_upload(
        db.session, current_user, data.get("length"), data.get("name") or data.get("filename")
    )
    response = jsonify(_upload_json(upload))
    response.status_code = 201
    response.headers["Location"] = url_for("videos.uploads.part", upload_id=upload.id)
    response.headers["Upload-Offset"] = "0"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route(f"/{ID}", methods=["GET", "HEAD"])
@api_login_required
def part(upload_id: str):
    upload = uploads.get_upload(db.session, upload_id, current_user)
    response = jsonify(_upload_json(upload))
    response.headers["Upload-Offset"] = str(upload.offset)
    response.headers["Upload-Length"] = str(upload.length)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.patch(f"/{ID}")
@body_cap("UPLOAD_MAX_PART_BYTES")
@api_login_required
def append(upload_id: str):
    if request.mimetype != PART_TYPE:
        return error(415, f"Send the part as {PART_TYPE}.")
    progress = uploads.append(
        db.session,
        upload_id,
        current_user,
        request.headers.get("Upload-Offset"),
        body_stream(),
        request.content_length,
    )
    if progress.stored is None:
        response = current_app.response_class(status=204)
    else:
        response = jsonify(_finished_json(progress.stored))
    response.headers["Upload-Offset"] = str(progress.offset)
    response.headers["Cache-Control"] = "no-store"
    return response


def _finished_json(stored: Any) -> dict[str, Any]:
    video = stored.video
    message = (
        "You already uploaded this video."
        if stored.duplicate
        else f"{video.display_name} is ready."
    )
    return {
        "video_id": video.id,
        "url": url_for("videos.detail", video_id=video.id),
        "duplicate": stored.duplicate,
        "name": video.display_name,
        "message": message,
    }


@bp.delete(f"/{ID}")
@api_login_required
def cancel(upload_id: str):
    uploads.cancel(db.session, upload_id, current_user)
    return current_app.response_class(status=204)
