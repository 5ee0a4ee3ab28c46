"""Signed, expiring media URLs for PULL_FROM_URL: TikTok downloads the file from us.

TikTok only pulls from a domain or URL prefix verified in its developer portal, so
PUBLIC_MEDIA_BASE must be such a verified prefix (it is prepended to /media/<token>).
"""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from studio.security import external_url

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
