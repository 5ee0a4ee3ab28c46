"""status/fetch and the best-effort cancel endpoint."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request

from studio.sandbox import lifecycle
from studio.sandbox.api import guard, sandbox_state
from studio.sandbox.errors import ApiError, api_response
from studio.sandbox.models import Grant, Publish

bp = Blueprint("status", __name__)
SCOPES = ("video.upload", "video.publish")


def _publish_for(grant: Grant) -> Publish:
    """The publish named in the JSON body, owned by the token's user."""
    body: Any = request.get_json(silent=True)
    if request.mimetype != "application/json" or not isinstance(body, dict):
        raise ApiError("invalid_param", "The body must be a JSON object with publish_id.", 400)
    publish_id = body.get("publish_id")
    state = sandbox_state()
    with state.lock:
        publish = state.publishes.get(publish_id) if isinstance(publish_id, str) else None
    if publish is None:
        raise ApiError("invalid_publish_id", "The publish_id does not exist.", 400)
    if publish.open_id != grant.open_id:
        raise ApiError(
            "token_not_authorized_for_specified_publish_id",
            "The access token is not authorized for this publish_id.",
            400,
        )
    return publish


@bp.post("/v2/post/publish/status/fetch/")
def fetch() -> Response:
    """Current status, progress bytes and (public) post ids."""
    state = sandbox_state()
    grant = guard(SCOPES, "status", state.config.rate_limit_status)
    publish = _publish_for(grant)
    with state.lock:
        data = publish.status_data()
        data["publicaly_available_post_id"] = list(data["publicaly_available_post_id"])
    return api_response(data)


@bp.post("/v2/post/publish/cancel/")
def cancel() -> Response:
    """Cancel a pending publish (fail reason publish_cancelled); no `data` on success."""
    state = sandbox_state()
    grant = guard(SCOPES, "cancel", state.config.rate_limit_cancel)
    publish = _publish_for(grant)
    if not publish.status.startswith("PROCESSING_") or not lifecycle.fail(
        state, publish.publish_id, "publish_cancelled"
    ):
        raise ApiError("publish_not_cancellable", "The publish is already final.", 400)
    return api_response(None)
