"""The resumable send loop: ask where the session stands, send the rest, survive cuts.

A pure function over the client (no Flask, no database): the caller persists what the
callbacks hand it, so a killed worker resumes the same session from Google's own count
(docs/platforms/youtube.md, "Resumable upload: sending the bytes").
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from studio.platforms.retry import RetryAction
from studio.platforms.youtube.client import YouTubeClient
from studio.platforms.youtube.errors import retry_action
from studio.platforms.youtube.results import UploadProgress
from studio.platforms.youtube.wire import UNIT

DEFAULT_CHUNK = 32 * UNIT  # 8 MiB


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff with full jitter, bounded by consecutive failures without progress."""

    attempts: int = 8
    base: float = 1.0
    cap: float = 60.0
    sleep: Callable[[float], None] = time.sleep

    def wait(self, failures: int) -> None:
        """Sleep before retry number `failures` (1, 2, …)."""
        self.sleep(random.uniform(0, min(self.cap, self.base * 2 ** (failures - 1))))


def send_video(
    client: YouTubeClient,
    path: str | os.PathLike[str],
    size: int,
    content_type: str,
    *,
    session_uri: str | None,
    start_session: Callable[[], str],
    on_session: Callable[[str], None],
    progress: Callable[[int], None],
    chunk_size: int = DEFAULT_CHUNK,
    backoff: Backoff | None = None,
    max_sessions: int = 2,
) -> UploadProgress:
    """Send the file through `session_uri` (or a new session) and return the finished upload.

    With a session URI it asks where the session stands before sending anything. A session
    that expired (404/410) is replaced through `start_session()` (which opens one with a fresh
    access token and the post's details), at most `max_sessions` times; `on_session(uri)`
    gets each new URI before any byte goes to it (store it encrypted). `progress(offset)`
    gets Google's count after each answer. 5xx, 429 and lost connections are retried with
    `backoff`; every other failure is raised (classify it with `errors.retry_action`).
    """
    if chunk_size <= 0 or chunk_size % UNIT:
        raise ValueError(f"chunk_size must be a positive multiple of {UNIT} bytes")
    if os.stat(path).st_size != size:
        raise ValueError(f"{os.fspath(path)!r} is not {size} bytes long")
    policy = backoff or Backoff()
    uri, sessions, failures = session_uri, 0, 0
    with open(path, "rb") as file:
        while True:
            try:
                if uri is None:
                    if sessions >= max_sessions:
                        raise RuntimeError(f"{sessions} upload sessions expired in a row")
                    uri = start_session()
                    sessions += 1
                    on_session(uri)
                    state = UploadProgress(0)
                else:
                    state = client.upload_status(uri, size)
                progress(state.offset)
                while not state.done:
                    length = min(chunk_size, size - state.offset)
                    before = state.offset
                    state = client.upload_chunk(
                        uri, file, state.offset, length, size, content_type=content_type
                    )
                    progress(state.offset)
                    failures = 0 if state.offset > before or state.done else failures + 1
                    if failures >= policy.attempts:
                        raise RuntimeError(f"no progress past byte {before} after {failures} tries")
                return state
            except Exception as exc:
                action = retry_action(exc)
                if action is RetryAction.REINIT and uri is not None:
                    uri = None
                    continue
                failures += 1
                if action is not RetryAction.BACKOFF or failures >= policy.attempts:
                    raise
                policy.wait(failures)
