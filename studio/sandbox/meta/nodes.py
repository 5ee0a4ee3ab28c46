"""GET /{id}: Pages and IG accounts (with follower counts), containers, IG media, Page Reels."""

from __future__ import annotations

import time
from typing import Any

from flask import Blueprint, Response, jsonify

from studio.sandbox.meta import errors, growth
from studio.sandbox.meta.access import IG_SCOPES, managed_ig, managed_page
from studio.sandbox.meta.auth import authenticate, fields, meta_state, pick, require
from studio.sandbox.meta.errors import unknown_object
from studio.sandbox.meta.graph import ig_record, page_record
from studio.sandbox.meta.insights import ig_media
from studio.sandbox.meta.people import ig_account, page

bp = Blueprint("meta_nodes", __name__, url_prefix="/meta/graph")
errors.install(bp)


@bp.get("/<version>/<node_id>")
def node(version: str, node_id: str) -> Response:
    """Read a node's fields; anything not visible to the token is 100/33."""
    state = meta_state()
    with state.lock:
        container = state.containers.get(node_id)
        video = state.videos.get(node_id)
        media = next((c for c in state.containers.values() if c.media_id == node_id), None)
    if page(node_id) is not None:
        token = authenticate()
        if token.kind != "page":
            require(token, "pages_show_list")
        record = page_record(managed_page(token, node_id))
        if "instagram_business_account" in record:
            record["instagram_business_account"] = {
                "id": record["instagram_business_account"]["id"]
            }
        with state.lock:
            record["followers_count"] = growth.followers(state, "page", node_id, time.time())
        return jsonify(pick(record, fields(["id", "name"])))
    linked = ig_account(node_id)
    if linked is not None:
        token = authenticate("instagram", node_id)
        ig, _ = managed_ig(token, node_id)
        require(token, "instagram_basic")
        record = ig_record(ig)
        with state.lock:
            record["followers_count"] = growth.followers(state, "ig", node_id, time.time())
        record["media_count"] = len(ig_media(node_id))
        return jsonify(pick(record, fields(["id", "username"])))
    if container is not None or media is not None:
        found = container or media
        assert found is not None
        token = authenticate("instagram", found.ig_id)
        managed_ig(token, found.ig_id)
        require(token, *IG_SCOPES)
        return jsonify(pick(_container_or_media(found, container is None), fields(["id"])))
    if video is not None:
        token = authenticate()
        managed_page(token, video.page_id)
        record = {"id": video.id, "status": video.status(), **video.params}
        return jsonify(pick(record, fields(["id"])))
    authenticate()
    raise unknown_object(node_id)


def _container_or_media(found: Any, as_media: bool) -> dict[str, Any]:
    """A container's status fields, or the published media's fields."""
    ttl = meta_state().config.container_ttl
    if as_media:
        return {
            "id": found.media_id,
            "media_type": "VIDEO",
            "media_product_type": "REELS",
            "caption": found.params.get("caption", ""),
            "is_ai_generated": bool(found.params.get("is_ai_generated", False)),
            "permalink": f"https://www.instagram.com/reel/{found.media_id}/",
        }
    status = found.current(ttl)
    text = status
    if status == "ERROR":
        text = f"Media upload has failed with error code {found.error_subcode}."
    return {"id": found.id, "status_code": status, "status": text}
