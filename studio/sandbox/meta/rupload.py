"""rupload: `POST` the bytes from `offset` (headers offset, file_size), `GET` the offset."""

from __future__ import annotations

from typing import IO

from flask import Blueprint, Response, g, jsonify, request
from werkzeug.exceptions import ClientDisconnected

from studio.sandbox import holds
from studio.sandbox.faults import drop_connection
from studio.sandbox.meta import errors, lifecycle
from studio.sandbox.meta.access import IG_SCOPES, managed_ig, managed_page
from studio.sandbox.meta.auth import bearer, lookup, meta_state, require
from studio.sandbox.meta.errors import RuploadError
from studio.sandbox.meta.models import Container, Transfer, Video
from studio.sandbox.meta.state import MetaState

bp = Blueprint("meta_rupload", __name__, url_prefix="/meta/rupload")
errors.install(bp)
BLOCK = 1024 * 1024


def _target(kind: str, node_id: str) -> tuple[Container | Video, Transfer]:
    """The container (ig-api-upload, user token) or Page video (video-upload, Page token)."""
    state = meta_state()
    token = lookup(state, bearer(("oauth",), body=False))  # rupload documents `OAuth <token>`
    with state.lock:
        node = (state.containers if kind == "ig" else state.videos).get(node_id)
    if node is None:
        raise RuploadError(404, "NotFoundError", "No upload session exists for this URL.")
    if isinstance(node, Container):
        managed_ig(token, node.ig_id)
        require(token, *IG_SCOPES)
        if not node.resumable:
            raise RuploadError(400, "BadRequestError", "The container was made with video_url.")
        if node.current(state.config.container_ttl) == "EXPIRED":
            raise RuploadError(400, "ExpiredError", "The container has expired.")
    else:
        if token.kind != "page":
            raise RuploadError(401, "AuthError", "video-upload needs the Page access token.")
        managed_page(token, node.page_id)
    return node, node.transfer


@bp.get("/ig-api-upload/<version>/<node_id>")
@bp.get("/video-upload/<version>/<node_id>")
def offset(version: str, node_id: str) -> Response:
    """How many bytes arrived: resume from this offset."""
    _, transfer = _target(_kind(), node_id)
    return jsonify({"offset": transfer.offset, "file_size": transfer.file_size})


@bp.post("/ig-api-upload/<version>/<node_id>")
@bp.post("/video-upload/<version>/<node_id>")
def upload(version: str, node_id: str) -> Response:
    """Append the body at `offset`; the upload completes when `file_size` bytes arrived."""
    state = meta_state()
    node, transfer = _target(_kind(), node_id)
    start, total = _claim(state, transfer)
    try:
        want = total - start
        half = want // 2
        got = _read(state, transfer, request.stream, half)
        if g.get("meta_drop_mid"):  # fault: the connection dies with half of the body kept
            return drop_connection(drain=True)
        holds.pause(state, "mid_body")  # a held upload stops here, half received
        got += _read(state, transfer, request.stream, want - half)
    finally:
        with state.lock:
            transfer.busy = False
    if got != want:
        raise RuploadError(400, "BadRequestError", "The body is shorter than Content-Length.")
    state.count("uploads_completed")
    if isinstance(node, Container):
        lifecycle.container_received(state, node)
    return jsonify({"success": True})


def _kind() -> str:
    return "ig" if "/ig-api-upload/" in request.path else "video"


def _header(name: str) -> str:
    """A request header, also one with `_` (werkzeug's server drops those: see server.py)."""
    for key, value in request.environ.get("sandbox.raw_headers", ()):
        if key.lower() == name:
            return str(value)
    return request.headers[name]


def _claim(state: MetaState, transfer: Transfer) -> tuple[int, int]:
    """Check offset, file_size and Content-Length against the progress; mark busy."""
    try:
        start = int(_header("offset"))
        total = int(_header("file_size"))
    except (KeyError, ValueError) as exc:
        raise RuploadError(
            400, "BadRequestError", "The offset and file_size headers are required integers."
        ) from exc
    with state.lock:
        if transfer.busy:
            raise RuploadError(409, "ConflictError", "Another upload to this URL is running.")
        if transfer.file_size is not None and total != transfer.file_size:
            raise RuploadError(400, "BadRequestError", "file_size differs from the first upload.")
        if transfer.complete:
            raise RuploadError(400, "BadRequestError", "The upload is already complete.")
        if total <= 0 or start != transfer.offset:
            raise RuploadError(
                400,
                "OffsetInvalidError",
                f"offset {start} does not match the bytes received; GET this URL for the offset.",
            )
        if request.content_length != total - start:
            raise RuploadError(400, "BadRequestError", "Content-Length must be file_size - offset.")
        transfer.file_size = total
        transfer.busy = True
    return start, total


def _read(state: MetaState, transfer: Transfer, stream: IO[bytes], length: int) -> int:
    """Read up to `length` bytes; each block counts as received as soon as it arrives."""
    done = 0
    try:
        while done < length:
            block = stream.read(min(BLOCK, length - done))
            if not block:
                break
            with state.lock:
                transfer.hasher.update(block)
                transfer.offset += len(block)
                state.counters["bytes_received"] += len(block)
            done += len(block)
    except ClientDisconnected:
        pass
    return done
