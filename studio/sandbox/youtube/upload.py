"""The session URI: status queries and chunk PUTs, streamed in 256 KiB units, never held whole."""

from __future__ import annotations

import re
import secrets
import time
from datetime import UTC, datetime

from flask import Blueprint, Response, g, jsonify, request
from werkzeug.exceptions import ClientDisconnected

from studio.sandbox import holds
from studio.sandbox.faults import drain_body, drop_connection
from studio.sandbox.youtube import processing
from studio.sandbox.youtube.errors import GoogleError, google_response
from studio.sandbox.youtube.models import Session, Video
from studio.sandbox.youtube.oauth import youtube_state
from studio.sandbox.youtube.resources import video_resource
from studio.sandbox.youtube.sessions import UPLOAD_PATH
from studio.sandbox.youtube.state import YouTubeState

bp = Blueprint("yt_upload", __name__)
UNIT = 256 * 1024
BLOCK = 1024 * 1024
BUSY_WAIT = 5.0
RANGE_RE = re.compile(r"^bytes (\d+)-(\d+)/(\d+)$")
STATUS_RE = re.compile(r"^bytes \*/(\d+)$")
TOO_SMALL = (
    "Invalid request. The number of bytes uploaded is required to be equal or greater than "
    "262144, except for the final request (it's recommended to be the exact multiple of "
    "262144). The received request contained {} bytes, which does not meet this requirement."
)


class Refuse(Exception):
    """Answer with `response` after draining the request body."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status)
        self.response = response


@bp.errorhandler(Refuse)
def _refuse(exc: Refuse) -> Response:
    drain_body()
    return exc.response


def _error(status: int, reason: str, message: str) -> Refuse:
    return Refuse(google_response(GoogleError(status, reason, message)))


@bp.put(UPLOAD_PATH)
def put() -> Response:
    """A status query (`bytes */TOTAL`) or the next chunk; 308 + Range until the end."""
    state = youtube_state()
    session = _find(state)
    if session.video_id is not None:  # finished: the same video comes back, never a second
        drain_body()
        return _final(state, session)
    header = request.headers.get("Content-Range", "")
    query = STATUS_RE.match(header)
    if query:
        if request.content_length or int(query.group(1)) != session.total:
            raise _error(400, "badContent", "A status query is empty, with bytes */TOTAL.")
        state.count("status_queries")
        return _incomplete(session)
    first, last = _check_chunk(session, header)
    _claim(state, session)
    try:
        return _receive(state, session, first, last)
    finally:
        with state.lock:
            session.busy = False


def _find(state: YouTubeState) -> Session:
    """The session behind `upload_id`; 404 when unknown, 404 or 410 (config) once expired."""
    with state.lock:
        session = state.sessions.get(request.args.get("upload_id", ""))
    if session is None:
        raise _error(404, "notFound", "No upload session exists for this URI.")
    if session.video_id is None and state.now() > session.expires_at:
        state.count("expired_session_calls")
        status = state.config.session_expired_status
        raise _error(status, "notFound", "The upload session has expired; start a new one.")
    return session


def _check_chunk(session: Session, header: str) -> tuple[int, int]:
    """Headers of a data chunk against the session and its progress."""
    length = request.content_length
    if length is None:
        raise _error(400, "badContent", "Send Content-Length; chunked encoding is refused.")
    match = RANGE_RE.match(header)
    if not match:
        raise _error(400, "badContent", "Failed to parse Content-Range header.")
    first, last, total = (int(x) for x in match.groups())
    if total != session.total or first > last or last >= total:
        raise _error(400, "badContent", "Content-Range does not fit X-Upload-Content-Length.")
    if length != last - first + 1:
        raise _error(400, "badContent", "Content-Length must equal the Content-Range size.")
    if request.mimetype != session.content_type:
        raise _error(400, "badContent", "Content-Type must equal X-Upload-Content-Type.")
    if first > session.received:
        message = (
            "Invalid request.  According to the Content-Range header, the upload offset is "
            f"{first} byte(s), which exceeds already uploaded size of {session.received} byte(s)."
        )
        raise Refuse(Response(message, status=503, mimetype="text/plain"))
    if first < session.received:  # Google may skip the overlap; strict: ask first
        message = f"{session.received} bytes are stored; ask with bytes */TOTAL (sandbox strict)."
        raise _error(400, "badContent", message)
    if last + 1 < total and length % UNIT:
        if length < UNIT:
            raise _error(400, "badContent", TOO_SMALL.format(length))
        message = "A non-final chunk must be a multiple of 262144 bytes (sandbox strict)."
        raise _error(400, "badContent", message)
    return first, last


def _claim(state: YouTubeState, session: Session) -> None:
    """One writer at a time; a second one waits briefly, then gets a retryable 503."""
    deadline = time.monotonic() + BUSY_WAIT
    while True:
        with state.lock:
            if not session.busy:
                session.busy = True
                return
        if time.monotonic() > deadline:
            raise _error(503, "backendError", "Another request is writing this session.")
        time.sleep(0.01)


def _receive(state: YouTubeState, session: Session, first: int, last: int) -> Response:
    """Read the chunk; whole 256 KiB units are kept as they arrive (a cut chunk keeps them)."""
    length = last - first + 1
    pending = bytearray()
    half = length // 2
    got = _pump(state, session, pending, half)
    holds.pause(state, "mid_body")  # a held chunk parks here, half of it read
    if g.get("youtube_drop_mid"):
        state.count("dropped_mid_chunk")
        return drop_connection(drain=False)
    got += _pump(state, session, pending, length - half)
    if got < length:
        raise _error(400, "badContent", "The body is shorter than Content-Length.")
    with state.lock:
        state.counters["chunks"] += 1
    if last + 1 < session.total:
        return _incomplete(session)
    _commit(state, session, pending)
    _finish_upload(state, session)
    return _final(state, session)


def _pump(state: YouTubeState, session: Session, pending: bytearray, count: int) -> int:
    """Read `count` bytes, committing each complete unit; returns the bytes read."""
    done = 0
    try:
        while done < count:
            block = request.stream.read(min(BLOCK, count - done))
            if not block:
                break
            done += len(block)
            pending += block
            while len(pending) >= UNIT:
                _commit(state, session, pending[:UNIT])
                del pending[:UNIT]
    except ClientDisconnected:
        pass
    return done


def _commit(state: YouTubeState, session: Session, data: bytes | bytearray) -> None:
    session.hasher.update(data)
    with state.lock:
        session.received += len(data)
        state.counters["bytes_received"] += len(data)


def _incomplete(session: Session) -> Response:
    """308 Resume Incomplete; Range only once bytes are stored (no Location: not a redirect)."""
    response = Response(status=308)
    if session.received:
        response.headers["Range"] = f"bytes=0-{session.received - 1}"
    return response


def _finish_upload(state: YouTubeState, session: Session) -> None:
    """All bytes are in: make the video and start processing."""
    cfg = state.config
    with state.lock:
        digest = session.hasher.hexdigest()
        duplicate = cfg.reject_duplicates and any(
            v.channel == session.channel and v.sha256 == digest for v in state.videos.values()
        )
        now = datetime.fromtimestamp(state.now(), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        video = Video(
            secrets.token_urlsafe(8)[:11],
            session.channel,
            session.metadata,
            session.parts,
            session.total,
            digest,
            session.content_type,
            session.notify,
            now,
        )
        state.videos[video.id] = video
        session.video_id = video.id
        state.counters["uploads_completed"] += 1
    outcome: tuple[str, str | None] | None = ("rejected", "duplicate") if duplicate else None
    if outcome is None and cfg.outcome_hook is not None:
        outcome = cfg.outcome_hook(video.summary())
    if outcome is None:
        reasons = {"failed": cfg.failure_reason, "rejected": cfg.rejection_reason}
        outcome = (cfg.processing_outcome, reasons.get(cfg.processing_outcome))
    processing.start(state, video.id, *outcome)


def _final(state: YouTubeState, session: Session) -> Response:
    """The video resource, as the last chunk and every later query get it."""
    with state.lock:
        video = state.videos[session.video_id or ""]
        body = video_resource(state, video, session.parts)
    response = jsonify(body)
    response.status_code = state.config.final_status
    return response
