"""Signed, expiring media URLs for PULL_FROM_URL: TikTok downloads the file from us.

TikTok only pulls from a domain or URL prefix verified in its developer portal, so
PUBLIC_MEDIA_BASE must be such a verified prefix (it is prepended to /media/<token>).
"""

from __future__ import annotations

from typing import Any

from flask import current_app, request, send_file
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from studio.audit import Action, Actor, record, scope
from studio.platforms.models import Delivery, Source
from studio.posts.models import Post
from studio.security import external_url
from studio.videos.storage import video_path

SALT = "media"


class MediaTokenError(Exception):
    """The media token is forged, for another file, or expired."""


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def make_token(delivery_id: int, content_hash: str) -> str:
    """A token naming one delivery and its video's content hash."""
    return _serializer().dumps({"d": delivery_id, "s": content_hash})


def read_token(token: str) -> tuple[int, str]:
    """(delivery_id, content_hash) from a valid, unexpired token.

    A token made before posts had deliveries names the post ("p"): its one delivery has the
    same id (migration 0017).
    """
    max_age = int(current_app.config["POSTS_MEDIA_URL_TTL"])
    try:
        data = _serializer().loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise MediaTokenError("the media link has expired") from exc
    except BadSignature as exc:
        raise MediaTokenError("the media link is not valid") from exc
    delivery_id = data.get("d", data.get("p")) if isinstance(data, dict) else None
    if not isinstance(delivery_id, int):
        raise MediaTokenError("the media link is not valid")
    return delivery_id, str(data.get("s"))


def public_url(delivery_id: int, content_hash: str) -> str:
    """The URL handed to TikTok: PUBLIC_MEDIA_BASE + /media/<token>."""
    base = current_app.config["PUBLIC_MEDIA_BASE"]
    return external_url("media.fetch", base=base, token=make_token(delivery_id, content_hash))


def response(session: Session, delivery_id: int, content_hash: str) -> Any:
    """The file for TikTok's pull (Range supported), or None when the link no longer fits."""
    delivery = session.get(Delivery, delivery_id)
    post = session.get(Post, delivery.post_id) if delivery is not None else None
    if (
        delivery is None
        or post is None
        or delivery.source != Source.PULL_FROM_URL
        or delivery.is_terminal
        or post.video.content_hash != content_hash
        or not post.video.has_file
    ):
        return None
    path = video_path(post.video)
    if not path.exists():
        return None
    with scope(account_id=delivery.account_id, post_id=post.id):
        record(
            Action.POST_MEDIA_FETCHED,
            actor=Actor.public(),
            summary=f"post {post.id}: media pulled ({request.headers.get('Range') or 'all'})",
        )
    response = send_file(path, mimetype=post.video.content_type, conditional=True, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response
