"""The upload_url endpoint: streamed, strictly sequential chunk PUTs."""

from __future__ import annotations

import re
import time
from typing import IO, Any

from flask import Blueprint, Response, request
from werkzeug.exceptions import ClientDisconnected

from studio.sandbox import holds, lifecycle
from studio.sandbox.api import sandbox_state
from studio.sandbox.errors import api_response
from studio.sandbox.models import Upload
from studio.sandbox.state import SandboxState

bp = Blueprint("upload", __name__)
VIDEO_TYPES = {"video/mp4", "video/quicktime", "video/webm"}
RANGE_RE = re.compile(r"^bytes (\d+)-(\d+)/(\d+)$")
BLOCK = 1024 * 1024
DRAIN_LIMIT = 256 * 1024 * 1024


class Reject(Exception):
    """Refuse the chunk with an HTTP status; the body is drained first."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@bp.errorhandler(Reject)
def _reject(exc: Reject) -> Response:
    length = request.content_length or 0
    if length <= DRAIN_LIMIT:
        _read(request.stream, length, None)
    code = {
        400: "invalid_param",
        403: "upload_url_expired",
        404: "upload_not_found",
        416: "range_not_satisfiable",
    }.get(exc.status, "invalid_param")
    return api_response(None, code, str(exc), exc.status)


@bp.put("/upload/")
def put_chunk() -> Response:
    """Accept the next chunk (206) or the last (201); a re-sent accepted chunk is idempotent."""
    state = sandbox_state()
    upload = _find(state)
    first, last = _check_headers(upload)
    duplicate, hasher = _claim(state, upload, first, last)
    try:
        half = (last - first + 1) // 2
        done = _read(request.stream, half, hasher)
        holds.pause(state, "mid_body")  # a held chunk stops here, half of it received
        if done + _read(request.stream, last - first + 1 - half, hasher) != last - first + 1:
            raise Reject(400, "The body is shorter than Content-Length.")
        if duplicate:
            return _duplicate(state, upload, hasher.hexdigest())
        return _accept(state, upload, hasher, first, last)
    finally:
        with state.lock:
            upload.busy = False


def _claim(state: SandboxState, upload: Upload, first: int, last: int) -> tuple[bool, Any]:
    """Check the range against progress and mark the upload busy; returns (duplicate, hasher)."""
    with state.lock:
        done = upload.next_chunk
        duplicate = done > 0 and (first, last) == upload.chunk_bounds(done - 1)
        expected = not upload.complete and (first, last) == upload.chunk_bounds(done)
        if upload.busy or not (duplicate or expected):
            raise Reject(416, "Content-Range does not match the upload progress.")
        upload.busy = True
        return duplicate, (upload.prev_hasher if duplicate else upload.hasher).copy()


def _find(state: SandboxState) -> Upload:
    """The upload behind the URL's id and token; 404 if unknown, 403 once expired."""
    with state.lock:
        upload = state.uploads.get(request.args.get("upload_id", ""))
        publish = state.publishes.get(upload.publish_id) if upload else None
    if upload is None or request.args.get("upload_token") != upload.secret or publish is None:
        raise Reject(404, "No upload task exists for this URL.")
    if publish.status == "FAILED":
        raise Reject(404, "The upload task was cancelled or failed.")
    if time.time() > upload.expires_at:
        raise Reject(403, "The upload_url has expired.")
    return upload


def _check_headers(upload: Upload) -> tuple[int, int]:
    """Content-Type, Content-Range and Content-Length; returns the inclusive byte range."""
    if request.mimetype not in VIDEO_TYPES:
        raise Reject(400, "Content-Type must be video/mp4, video/quicktime or video/webm.")
    match = RANGE_RE.match(request.headers.get("Content-Range", ""))
    if not match:
        raise Reject(400, "Content-Range must be 'bytes FIRST-LAST/TOTAL'.")
    first, last, total = (int(g) for g in match.groups())
    if first > last or total != upload.video_size:
        raise Reject(416, "Content-Range does not match the planned upload.")
    if request.content_length != last - first + 1:
        raise Reject(400, "Content-Length must equal the size of the chunk in Content-Range.")
    return first, last


def _read(stream: IO[bytes], length: int, hasher: Any | None) -> int:
    """Read `length` bytes in blocks, feeding the hasher; returns the count actually read."""
    done = 0
    try:
        while done < length:
            block = stream.read(min(BLOCK, length - done))
            if not block:
                break
            if hasher is not None:
                hasher.update(block)
            done += len(block)
    except ClientDisconnected:
        pass
    return done


def _accept(state: SandboxState, upload: Upload, hasher: Any, first: int, last: int) -> Response:
    """Commit a new chunk: progress, running sha256 and, at the end, processing."""
    with state.lock:
        upload.prev_hasher, upload.hasher = upload.hasher, hasher
        upload.received = last + 1
        upload.next_chunk += 1
        publish = state.publishes[upload.publish_id]
        publish.uploaded_bytes = upload.received
        state.counters["chunks"] += 1
        state.counters["bytes_received"] += last + 1 - first
        if upload.complete:
            publish.sha256 = upload.hasher.hexdigest()
            state.counters["uploads_completed"] += 1
    if upload.complete:
        lifecycle.media_received(state, upload.publish_id)
    return _progress_response(upload)


def _duplicate(state: SandboxState, upload: Upload, digest: str) -> Response:
    """Re-PUT of the chunk just accepted: same answer if the bytes are identical."""
    with state.lock:
        same = digest == upload.hasher.hexdigest()
        state.counters["duplicate_chunks"] += 1
    if not same:
        raise Reject(400, "A re-sent chunk differs from the chunk already accepted.")
    return _progress_response(upload)


def _progress_response(upload: Upload) -> Response:
    """206 with the received range, or 201 once everything arrived; no body."""
    response = Response(status=201 if upload.complete else 206)
    response.headers["Content-Range"] = f"bytes 0-{upload.received - 1}/{upload.video_size}"
    return response
