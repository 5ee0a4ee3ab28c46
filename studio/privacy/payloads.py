"""Typed parses of the webhook payloads: every field checked at the edge, or Rejected."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from studio.security import strict_json, text_problem

MAX_ID = 512  # open_id, publish_id, post_id, user_id, client_key: real ones are far shorter
MAX_EVENT = 64  # the delivery row's event column
META_SKEW_SECONDS = 300


class Rejected(ValueError):
    """A delivery that failed verification; the message is safe to record and return."""


@dataclass(frozen=True)
class TikTokEvent:
    """A TikTok webhook envelope; ``content`` is its (second-level) JSON object."""

    client_key: str
    event: str
    create_time: int | None = None
    user_openid: str = ""
    content: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class MetaDeletion:
    """Meta's data-deletion ``signed_request`` payload."""

    user_id: str
    issued_at: int


def parse_json(raw: str | bytes, what: str) -> Any:
    """Strict JSON (no NUL, lone surrogate, duplicate key or deep nesting), else Rejected."""
    try:
        return strict_json(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise Rejected(f"{what} is not acceptable JSON") from exc


def _text(data: Mapping[str, Any], key: str, limit: int, *, required: bool = True) -> str:
    value = data.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value or len(value) > limit:
        raise Rejected(f"{key} must be text of 1 to {limit} characters")
    if text_problem(value) or not value.isprintable():
        raise Rejected(f"{key} holds control characters")
    return value


def _integer(data: Mapping[str, Any], key: str) -> int | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**53:
        raise Rejected(f"{key} must be a whole number")
    return value


def _id(data: Mapping[str, Any], key: str) -> str | None:
    """An identifier TikTok or Meta may send as text or as a number."""
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    return _text({key: value}, key, MAX_ID)


def _content(raw: Any) -> dict[str, Any]:
    if raw is None:
        return {}
    content = parse_json(raw, "content") if isinstance(raw, str) else raw
    if not isinstance(content, dict):
        raise Rejected("content must be a JSON object")
    for key in ("publish_id", "post_id"):
        _id(content, key)
    reason = content.get("reason")  # a code for removals, a text for failed posts
    if not (reason is None or isinstance(reason, str) or _id(content, "reason")):
        raise Rejected("reason must be text or a number")
    return content


def tiktok_event(body: bytes) -> TikTokEvent:
    """The envelope of a (verified) TikTok body, every field typed, or Rejected."""
    envelope = parse_json(body, "body")
    if not isinstance(envelope, dict):
        raise Rejected("body is not a TikTok event envelope")
    return TikTokEvent(
        client_key=_text(envelope, "client_key", MAX_ID),
        event=_text(envelope, "event", MAX_EVENT),
        create_time=_integer(envelope, "create_time"),
        user_openid=_text(envelope, "user_openid", MAX_ID, required=False),
        content=_content(envelope.get("content")),
    )


def meta_deletion(payload: bytes, max_age: int, now: float | None = None) -> MetaDeletion:
    """Meta's (verified) payload, typed, and fresh.

    Freshness: ``issued_at`` must lie within ``max_age`` seconds (the replay window: delivery
    digests are kept that long, so an older request could no longer be recognised as a repeat)
    and at most META_SKEW_SECONDS in the future. Meta sends the request when the user asks,
    and retries for far less than the window.
    """
    data = parse_json(payload, "signed_request payload")
    if not isinstance(data, dict):
        raise Rejected("signed_request payload is not an object")
    algorithm = data.get("algorithm")
    if not isinstance(algorithm, str) or algorithm.upper() != "HMAC-SHA256":
        raise Rejected("unsupported algorithm")
    user_id = _id(data, "user_id")
    if not user_id:
        raise Rejected("signed_request has no user_id")
    issued_at = _integer(data, "issued_at")
    if issued_at is None:
        raise Rejected("signed_request has no issued_at")
    age = (time.time() if now is None else now) - issued_at
    if age > max_age or age < -META_SKEW_SECONDS:
        raise Rejected("signed_request issued_at is outside the replay window")
    return MetaDeletion(user_id=user_id, issued_at=issued_at)
