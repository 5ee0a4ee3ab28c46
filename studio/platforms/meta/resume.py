"""The rupload send loop: ask Meta's offset, send the rest from it, survive cuts.

A pure function over the client (no Flask, no database): the caller keeps the upload URL, so
a killed worker resumes the same container or Page Reel from Meta's own count, and one video
is only ever one Reel (docs/platforms/meta.md, Resumable upload).
"""

from __future__ import annotations

import os
from collections.abc import Callable

from studio.platforms.backoff import Backoff
from studio.platforms.meta.client import MetaClient
from studio.platforms.meta.errors import retry_action
from studio.platforms.retry import RetryAction

__all__ = ["Backoff", "send_file"]


def send_file(
    client: MetaClient,
    uri: str,
    token: str,
    path: str | os.PathLike[str],
    size: int,
    *,
    progress: Callable[[int], None],
    backoff: Backoff | None = None,
    ask_first: bool = True,
) -> int:
    """Send the file to a rupload URL until Meta holds every byte; returns `size`.

    With `ask_first` (always, unless the URL is brand new) it asks Meta how many bytes it
    holds before sending, and after every failure; the body then streams from that offset to
    the end at constant memory. `progress(offset)` gets each count. Lost connections, 5xx,
    offset conflicts and other BACKOFF failures are retried with `backoff`, at most
    `backoff.attempts` times in a row without progress; every other failure is raised
    (classify it with `errors.retry_action`: REINIT means a new container or Page Reel).
    """
    if size <= 0:
        raise ValueError("a video of at least one byte is required")
    if os.stat(path).st_size != size:
        raise ValueError(f"{os.fspath(path)!r} is not {size} bytes long")
    policy = backoff or Backoff()
    known: int | None = None if ask_first else 0
    best, failures = -1, 0
    with open(path, "rb") as file:
        while True:
            try:
                if known is None:
                    held = client.upload_offset(uri, token)
                    if held.file_size not in (None, size) or held.offset > size:
                        raise ValueError(
                            f"Meta holds an upload of {held.file_size} bytes, not {size}"
                        )
                    known = held.offset
                    progress(known)
                if known > best:
                    best, failures = known, 0
                if known < size:
                    client.rupload(uri, token, file, known, size)
                    progress(size)
                return size
            except Exception as exc:
                failures += 1
                if retry_action(exc) is not RetryAction.BACKOFF or failures >= policy.attempts:
                    raise
                known = None
                policy.wait(failures)
