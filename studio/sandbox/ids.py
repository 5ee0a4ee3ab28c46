"""Identifier and secret generators shaped like TikTok's."""

from __future__ import annotations

import secrets
import time


def log_id() -> str:
    """A 32-character log id: UTC timestamp (14 digits) plus 18 upper-case hex digits."""
    return time.strftime("%Y%m%d%H%M%S", time.gmtime()) + secrets.token_hex(9).upper()


def auth_code() -> str:
    """An authorization code containing `*` and `!`, so clients must URL-decode it."""
    base = secrets.token_urlsafe(48)
    return f"{base[:24]}*{base[24:48]}!{base[48:]}"


def bearer(prefix: str) -> str:
    """An opaque token such as `act.…` or `rft.…`."""
    return f"{prefix}.{secrets.token_urlsafe(36)}"


def digits(count: int = 19) -> str:
    """A random decimal string without a leading zero."""
    return str(secrets.randbelow(9) + 1) + "".join(
        str(secrets.randbelow(10)) for _ in range(count - 1)
    )


def post_id() -> int:
    """A public post id as an int64."""
    return int(digits(19)) % (2**63)


def upload_secret() -> str:
    """The secret carried by an upload URL."""
    return secrets.token_urlsafe(32)
