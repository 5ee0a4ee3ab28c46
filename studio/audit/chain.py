"""Hashing rules of the chain: canonical form, salted payload digest, entry hash."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from collections.abc import Callable, Mapping
from typing import Any

GENESIS = "0" * 64

# The fields that the entry hash commits to, in this order (everything but payload and salt,
# which are committed through payload_digest, and erased_at, which erasure sets). Fields added
# later go at the end: trailing empty (None) fields are left out of the canonical form, so an
# entry written before a field existed hashes exactly as it did.
FIELDS = (
    "seq",
    "at",
    "kind",
    "status",
    "actor_kind",
    "actor_id",
    "actor_label",
    "account_id",
    "post_id",
    "job_id",
    "summary",
    "method",
    "endpoint",
    "http_status",
    "duration_ms",
    "platform_code",
    "log_id",
    "error",
    "platform",
)
_AT = FIELDS.index("at")
LEGACY_FIELDS = FIELDS.index("platform")  # the fields every entry was hashed with


def new_salt() -> str:
    """16 random bytes, hex."""
    return secrets.token_hex(16)


def payload_digest(salt: str, payload: str) -> str:
    """SHA-256(salt || payload), hex."""
    return hashlib.sha256(bytes.fromhex(salt) + payload.encode()).hexdigest()


def format_at(at: dt.datetime) -> str:
    """The canonical spelling of an entry's time: ISO 8601, UTC, always with microseconds."""
    if at.tzinfo is not dt.UTC:
        at = at.astimezone(dt.UTC)
    text = at.isoformat()
    return text if at.microsecond else f"{text[:19]}.000000{text[19:]}"


def _make_encoder() -> Callable[[list[Any]], str]:
    """json.dumps(row, ensure_ascii=False, separators=(",", ":")), minus per-call set-up."""
    encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
    make_c = getattr(json.encoder, "c_make_encoder", None)
    if make_c is None:  # no C accelerator: the same output, slower
        return encoder.encode
    c_encode = make_c(
        None, encoder.default, json.encoder.encode_basestring, None, ":", ",", False, False, True
    )
    return lambda row: "".join(c_encode(row, 0))


_encode = _make_encoder()


def canonical(values: tuple[Any, ...] | list[Any]) -> bytes:
    """The canonical bytes of the hashed fields, given in FIELDS order: a compact JSON array."""
    row = list(values)
    row[_AT] = format_at(row[_AT])
    while len(row) > LEGACY_FIELDS and row[-1] is None:
        row.pop()
    return _encode(row).encode()


def entry_hash(prev_hash: str, values: tuple[Any, ...] | list[Any], digest: str) -> str:
    """SHA-256(prev_hash || canonical(entry without payload) || payload_digest), hex."""
    return hashlib.sha256(prev_hash.encode() + canonical(values) + digest.encode()).hexdigest()


def values_of(entry: Mapping[str, Any]) -> tuple[Any, ...]:
    """The hashed fields of a mapping (a row or a dict), in FIELDS order."""
    return tuple(entry[name] for name in FIELDS)
