"""Content Posting init endpoints: inbox upload and Direct Post."""

from __future__ import annotations

import time
from typing import Any

from flask import Blueprint, Response, request

from studio.sandbox import pull
from studio.sandbox.api import base_url, creator_of, daily_cap, guard, posts_today, sandbox_state
from studio.sandbox.chunks import chunk_plan_error
from studio.sandbox.creators import Creator
from studio.sandbox.errors import ApiError, api_response
from studio.sandbox.ids import digits, upload_secret
from studio.sandbox.models import Grant, Publish, Upload
from studio.sandbox.postinfo import parse_post_info
from studio.sandbox.state import SandboxState

bp = Blueprint("posting", __name__)
FILE_KEYS = {"source", "video_size", "chunk_size", "total_chunk_count"}
URL_KEYS = {"source", "video_url"}
PENDING = ("PROCESSING_UPLOAD", "PROCESSING_DOWNLOAD", "SEND_TO_USER_INBOX")


def invalid(message: str) -> ApiError:
    """400 invalid_param (Content Posting spelling)."""
    return ApiError("invalid_param", message, 400)


def json_body(allowed: set[str]) -> dict[str, Any]:
    """A JSON object body with only `allowed` top-level keys."""
    if request.mimetype != "application/json":
        raise invalid("Content-Type must be application/json; charset=UTF-8.")
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise invalid("The request body must be a JSON object.")
    extra = set(body) - allowed
    if extra:
        raise invalid(f"Unexpected fields: {','.join(sorted(extra))}.")
    if "source_info" not in body:
        raise invalid("source_info is required.")
    return body


def parse_source(info: Any) -> dict[str, Any]:
    """Validate source_info; strict: fields belonging to the other source are rejected."""
    if not isinstance(info, dict) or info.get("source") not in ("FILE_UPLOAD", "PULL_FROM_URL"):
        raise invalid("source_info.source must be FILE_UPLOAD or PULL_FROM_URL.")
    keys = FILE_KEYS if info["source"] == "FILE_UPLOAD" else URL_KEYS
    if set(info) != keys:
        raise invalid(f"source_info for {info['source']} needs exactly: {','.join(sorted(keys))}.")
    if info["source"] == "PULL_FROM_URL":
        if not isinstance(info["video_url"], str):
            raise invalid("video_url must be a string.")
        pull.check_url(sandbox_state().config, info["video_url"])
        return info
    if not all(type(info[k]) is int for k in FILE_KEYS - {"source"}):
        raise invalid("video_size, chunk_size and total_chunk_count must be integers.")
    error = chunk_plan_error(info["video_size"], info["chunk_size"], info["total_chunk_count"])
    if error:
        raise invalid(error)
    return info


@bp.post("/v2/post/publish/inbox/video/init/")
def inbox_init() -> Response:
    """Start an inbox (draft) upload; the body may hold only source_info."""
    state = sandbox_state()
    grant = guard(("video.upload",), "inbox_init", state.config.rate_limit_init)
    source = parse_source(json_body({"source_info"})["source_info"])
    _check_not_banned(creator_of(grant))
    if _pending_shares(state, grant.open_id) >= state.config.pending_share_limit:
        raise ApiError(
            "spam_risk_too_many_pending_share",
            "Too many pending shares for this user in 24 hours.",
            403,
        )
    return api_response(_create(state, grant, "INBOX_SHARE", source, {}))


@bp.post("/v2/post/publish/video/init/")
def direct_init() -> Response:
    """Start a Direct Post; post_info is checked against the creator's options."""
    state = sandbox_state()
    grant = guard(("video.publish",), "direct_init", state.config.rate_limit_init)
    body = json_body({"source_info", "post_info"})
    creator = creator_of(grant)
    post_info = parse_post_info(body.get("post_info"), creator)
    source = parse_source(body["source_info"])
    _check_direct_allowed(state, creator, post_info)
    return api_response(_create(state, grant, "DIRECT_PUBLISH", source, post_info))


def _check_direct_allowed(state: SandboxState, creator: Creator, info: dict[str, Any]) -> None:
    """Ban, unaudited-client and daily-cap rules (403)."""
    _check_not_banned(creator)
    if state.config.unaudited and (not creator.private or info["privacy_level"] != "SELF_ONLY"):
        raise ApiError(
            "unaudited_client_can_only_post_to_private_accounts",
            "Unaudited clients can only post SELF_ONLY to private accounts.",
            403,
        )
    if posts_today(state, creator.open_id) >= daily_cap(state, creator):
        raise ApiError("spam_risk_too_many_posts", "The creator's daily post cap is reached.", 403)


def _check_not_banned(creator: Creator) -> None:
    """Banned creators cannot start any upload."""
    if creator.banned:
        raise ApiError(
            "spam_risk_user_banned_from_posting", "The user is banned from posting.", 403
        )


def _pending_shares(state: SandboxState, open_id: str) -> int:
    """Inbox shares created in the window and not yet complete or failed."""
    since = time.time() - state.config.pending_share_window
    with state.lock:
        return sum(
            1
            for p in state.publishes.values()
            if p.open_id == open_id
            and p.publish_type == "INBOX_SHARE"
            and p.created_at > since
            and p.status in PENDING
        )


def _create(
    state: SandboxState,
    grant: Grant,
    publish_type: str,
    source: dict[str, Any],
    post_info: dict[str, Any],
) -> dict[str, Any]:
    """Register the publish (and its upload or pull) and build the init `data`."""
    is_file = source["source"] == "FILE_UPLOAD"
    prefix = {
        ("INBOX_SHARE", True): "v_inbox_file~v2.",
        ("INBOX_SHARE", False): "v_inbox_url~v2.",
        ("DIRECT_PUBLISH", True): "v_pub_file~v2-1.",
        ("DIRECT_PUBLISH", False): "v_pub_url~v2.",
    }[(publish_type, is_file)]
    publish = Publish(
        prefix + digits(18),
        grant.open_id,
        publish_type,
        source["source"],
        time.time(),
        "PROCESSING_UPLOAD" if is_file else "PROCESSING_DOWNLOAD",
        post_info,
        video_url=source.get("video_url"),
        video_size=source.get("video_size"),
    )
    data: dict[str, Any] = {"publish_id": publish.publish_id}
    with state.lock:
        state.publishes[publish.publish_id] = publish
        state.counters["inits"] += 1
        if is_file:
            upload = Upload(
                digits(19),
                upload_secret(),
                publish.publish_id,
                source["video_size"],
                source["chunk_size"],
                source["total_chunk_count"],
                time.time() + state.config.upload_url_ttl,
            )
            state.uploads[upload.upload_id] = upload
            data["upload_url"] = (
                f"{base_url()}/upload/?upload_id={upload.upload_id}&upload_token={upload.secret}"
            )
    if not is_file:
        pull.start(state, publish.publish_id, publish.video_url or "")
    return data
