"""videos.insert with uploadType=resumable: check everything, then open a session."""

from __future__ import annotations

import json
import secrets
from urllib.parse import urlencode

from flask import Blueprint, Response, request

from studio.sandbox.youtube import metadata, quota, tokens
from studio.sandbox.youtube.config import UPLOAD_SCOPE
from studio.sandbox.youtube.errors import GoogleError, bad_parameter
from studio.sandbox.youtube.models import Session
from studio.sandbox.youtube.oauth import youtube_state
from studio.sandbox.youtube.resources import base_url

bp = Blueprint("yt_sessions", __name__)
UPLOAD_PATH = "/upload/youtube/v3/videos"


@bp.post(UPLOAD_PATH)
def start_session() -> Response:
    """200 with the session URI in Location; metadata is checked before any byte is sent."""
    state = youtube_state()
    channel = tokens.authenticate(state, request.headers.get("Authorization"), (UPLOAD_SCOPE,))
    if channel.channel_id is None:
        raise GoogleError(
            401, "youtubeSignupRequired", "This account has no YouTube channel.", "youtube.header"
        )
    quota.charge_upload(state)  # even a refused insert spends its call
    state.count("insert_calls")
    if request.args.get("uploadType") != "resumable":
        message = "The sandbox implements uploadType=resumable only."
        raise bad_parameter("invalidParameter", message, "uploadType")
    parts = metadata.parse_parts(request.args.get("part"))
    notify = _notify_subscribers()
    total, content_type = _upload_headers(state.config.max_video_bytes)
    if request.mimetype != "application/json":
        raise GoogleError(400, "parseError", "The metadata must be application/json.")
    try:
        body = json.loads(request.get_data(as_text=True) or "null")
    except ValueError:
        raise GoogleError(400, "parseError", "Parse Error") from None
    checked = metadata.validate(body, parts, state.config)
    quota.check_channel_cap(state, channel.key)
    session = Session(
        secrets.token_urlsafe(32),
        channel.key,
        total,
        content_type,
        parts,
        checked,
        notify,
        state.now() + state.config.session_ttl,
    )
    with state.lock:
        state.sessions[session.upload_id] = session
        state.counters["sessions_started"] += 1
    query = urlencode({"uploadType": "resumable", "part": ",".join(parts)})
    response = Response(status=200)
    response.headers["Location"] = (
        f"{base_url(state)}/google{UPLOAD_PATH}?{query}&upload_id={session.upload_id}"
    )
    response.headers["X-GUploader-UploadID"] = session.upload_id
    return response


def _notify_subscribers() -> bool:
    """Optional for Google (default true); strict: the choice must be explicit."""
    value = request.args.get("notifySubscribers")
    if value not in ("true", "false"):
        message = "notifySubscribers must be true or false, sent explicitly (sandbox strict)."
        raise bad_parameter("invalidParameter", message, "notifySubscribers")
    return value == "true"


def _upload_headers(limit: int) -> tuple[int, str]:
    """X-Upload-Content-Length (1..256 GB) and X-Upload-Content-Type (video/* or octet-stream)."""
    raw = request.headers.get("X-Upload-Content-Length", "")
    if not raw.isdigit() or not 0 < int(raw) <= limit:
        message = "X-Upload-Content-Length must be the file size in bytes (1 to 256 GB)."
        raise GoogleError(400, "badContent", message, "global", "X-Upload-Content-Length", "header")
    content_type = request.headers.get("X-Upload-Content-Type", "")
    if not (content_type.startswith("video/") or content_type == "application/octet-stream"):
        message = "X-Upload-Content-Type must be video/* or application/octet-stream."
        raise GoogleError(400, "badContent", message, "global", "X-Upload-Content-Type", "header")
    return int(raw), content_type
