"""Wire helpers for the YouTube client: the streamed chunk body, answers and errors parsed.

Nothing here sends a request; client.py does.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import IO, Any
from urllib.parse import parse_qs, urlsplit

import requests

from studio.platforms.youtube.errors import GoogleApiError, SessionExpired, api_error
from studio.platforms.youtube.results import UploadProgress
from studio.transport import Exchange

BLOCK = 1024 * 1024  # bytes read from disk and handed to the socket at a time
UNIT = 256 * 1024  # every chunk but the last is a multiple of this
RANGE_RE = re.compile(r"(\d+)-(\d+)\s*$")
HIDDEN = "[session]"


class FileSlice:
    """`length` bytes of an open file from `offset`, iterated in 1 MiB blocks, length known.

    requests sends an iterable with ``__len__`` as a plain body with Content-Length (never
    chunked encoding), block by block: memory stays constant whatever the chunk size.
    """

    def __init__(self, file: IO[bytes], offset: int, length: int) -> None:
        self.file, self.offset, self.length = file, offset, length

    def __len__(self) -> int:
        return self.length

    def __iter__(self) -> Iterator[bytes]:
        self.file.seek(self.offset)
        remaining = self.length
        while remaining > 0:
            block = self.file.read(min(BLOCK, remaining))
            if not block:
                raise OSError(f"the file ended {remaining} bytes before the chunk's end")
            remaining -= len(block)
            yield block


def json_object(response: requests.Response, strict: bool = True) -> dict[str, Any]:
    """The body as a JSON object; `{}` for an empty body; ValueError if a success is not JSON."""
    if not response.content.strip():
        return {}
    try:
        body = response.json()
    except ValueError:
        if strict and response.status_code < 300:
            raise
        return {}
    return body if isinstance(body, dict) else {}


def annotate(exchange: Exchange, response: requests.Response) -> None:
    """Put a failure's code on the exchange: `errors[0].reason`, OAuth's `error`, or the status."""
    if response.status_code < 400:
        return
    error = json_object(response, strict=False).get("error")
    if isinstance(error, dict):
        exchange.code = _first_error(error, response.status_code)[0]
    else:
        exchange.code = (
            error if isinstance(error, str) and error else f"http_{response.status_code}"
        )


def google_error(response: requests.Response) -> GoogleApiError:
    """The typed error of a failed Data API answer (JSON `error` object or plain text)."""
    status = response.status_code
    error = json_object(response, strict=False).get("error")
    if isinstance(error, dict):
        reason, message, domain, location = _first_error(error, status)
        return api_error(reason, message, status, domain=domain, location=location)
    text = response.text.strip()[:300] if response.content else ""
    return api_error(f"http_{status}", text or response.reason or "", status)


def _first_error(error: dict[str, Any], status: int) -> tuple[str, str, str, str]:
    """reason, message, domain and location of Google's `errors[0]` (tolerant of its absence)."""
    items = error.get("errors")
    first = items[0] if isinstance(items, list) and items and isinstance(items[0], dict) else {}
    reason = str(first.get("reason") or error.get("status") or f"http_{status}")
    message = str(error.get("message") or first.get("message") or "")
    return reason, message, str(first.get("domain") or ""), str(first.get("location") or "")


def session_answer(response: requests.Response, total: int) -> UploadProgress:
    """A chunk PUT or status query: 308 with Range, the finished video, or a typed error."""
    status = response.status_code
    if status == 308:
        match = RANGE_RE.search(response.headers.get("Range", ""))
        return UploadProgress(int(match.group(2)) + 1 if match else 0)
    if status in (200, 201):
        video = json_object(response)
        found = video.get("status")
        upload_status = found.get("uploadStatus") if isinstance(found, dict) else None
        return UploadProgress(total, str(video["id"]), upload_status)
    if status in (404, 410):
        raise SessionExpired("notFound", "the upload session is gone", status)
    raise google_error(response)


def hide_session(text: str, session_uri: str) -> str:
    """`text` without the session URI or its upload_id (a bearer capability)."""
    query = urlsplit(session_uri).query
    for secret in (session_uri, query, *parse_qs(query).get("upload_id", [])):
        if secret:
            text = text.replace(secret, HIDDEN)
    return text
