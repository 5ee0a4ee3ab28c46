"""Checks at the edge for what platforms send us: strict JSON, bounded text, ids, integers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from studio.security import strict_json, text_problem

MAX_ID = 512  # open_id, publish_id, post_id, user_id, client_key: real ones are far shorter
MAX_EVENT = 64  # the delivery row's event column


class Rejected(ValueError):
    """A delivery that failed verification; the message is safe to record and return."""


def parse_json(raw: str | bytes, what: str) -> Any:
    """Strict JSON (no NUL, lone surrogate, duplicate key or deep nesting), else Rejected."""
    try:
        return strict_json(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise Rejected(f"{what} is not acceptable JSON") from exc


def text(data: Mapping[str, Any], key: str, limit: int, *, required: bool = True) -> str:
    value = data.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value or len(value) > limit:
        raise Rejected(f"{key} must be text of 1 to {limit} characters")
    if text_problem(value) or not value.isprintable():
        raise Rejected(f"{key} holds control characters")
    return value


def integer(data: Mapping[str, Any], key: str) -> int | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**53:
        raise Rejected(f"{key} must be a whole number")
    return value


def id_field(data: Mapping[str, Any], key: str) -> str | None:
    """An identifier TikTok or Meta may send as text or as a number."""
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    return text({key: value}, key, MAX_ID)
