"""Wire helpers for the TikTok client: the streamed chunk body and response parsing.

Nothing here sends a request; client.py does.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import requests

from studio.platforms.tiktok.errors import TikTokError
from studio.platforms.tiktok.results import InitResult
from studio.transport import Exchange, json_object

BLOCK = 1024 * 1024


class FileWindow:
    """Bytes `first..last` of a file, iterated in 1 MiB blocks with a known length.

    requests sends an iterable with ``__len__`` as a plain body with Content-Length (no chunked
    encoding), and urllib3 passes each block straight to ``sendall``; one buffer is reused, so
    memory stays constant whatever the chunk size.
    """

    def __init__(self, path: str | os.PathLike[str], first: int, last: int) -> None:
        self.path, self.first, self.length = path, first, last - first + 1

    def __len__(self) -> int:
        return self.length

    def __iter__(self) -> Iterator[memoryview]:
        buffer = bytearray(min(BLOCK, max(self.length, 1)))
        view = memoryview(buffer)
        remaining = self.length
        with open(self.path, "rb", buffering=0) as fh:
            fh.seek(self.first)
            while remaining > 0:
                got = fh.readinto(view[: min(len(buffer), remaining)])
                if not got:
                    raise OSError(f"{self.path} ended {remaining} bytes early")
                remaining -= got
                yield view[:got]


def annotate(exchange: Exchange, response: requests.Response) -> None:
    """TikTok's log id, from the body or the X-Tt-Logid header (the transport fills the rest)."""
    exchange.log_id = log_id_of(json_object(response, strict=False)) or response.headers.get(
        "X-Tt-Logid"
    )


def log_id_of(body: dict[str, Any]) -> str | None:
    """TikTok's log id from either error shape."""
    error = body.get("error")
    value = error.get("log_id") if isinstance(error, dict) else None
    value = value or body.get("log_id")
    return str(value) if value else None


def detail(response: requests.Response) -> str:
    """A short human-readable reason from an error body."""
    body = json_object(response, strict=False)
    error = body.get("error")
    if isinstance(error, dict):
        return str(error.get("message") or error.get("code") or "")
    return str(body.get("error_description") or error or response.reason or "")[:500]


def init_result(data: dict[str, Any]) -> InitResult:
    """The init answer's publish id and upload URL."""
    publish_id = data.get("publish_id")
    if not publish_id:
        raise TikTokError("invalid_response", "init answered without a publish_id")
    return InitResult(str(publish_id), data.get("upload_url") or None)
