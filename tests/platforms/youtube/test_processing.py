"""After the upload: videos.list polled until processed, failed or rejected, in plain words."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from studio.platforms.youtube.client import YouTubeClient
from studio.platforms.youtube.results import VideoStatus, video_url
from studio.sandbox.server import SandboxServer
from tests.helpers import wait_until
from tests.platforms.youtube.support import UNIT, connect, video_file
from tests.platforms.youtube.upload_support import Run


@pytest.fixture
def run(client: YouTubeClient, http: requests.Session, tmp_path: Path) -> Run:
    return Run(client, connect(client, http).access_token, video_file(tmp_path, 3 * UNIT))


def _final(run: Run, video_id: str) -> VideoStatus:
    def poll() -> VideoStatus | None:
        status = run.client.video_status(run.token, video_id)
        return status if status.final else None

    return wait_until(poll, 10, "the end of YouTube's processing", every=0.05)


def test_processing_ends_processed(run: Run) -> None:
    video_id = run.send().video_id or ""
    first = run.client.video_status(run.token, video_id)
    assert first.upload_status in ("uploaded", "processed") and first.privacy_status == "unlisted"
    done = _final(run, video_id)
    assert done.ok and done.processing_status == "succeeded" and "finished" in done.plain


@pytest.mark.parametrize(
    ("outcome", "reason", "words"),
    [
        ("failed", "codec", "codec"),
        ("rejected", "inappropriate", "inappropriate"),
        ("rejected", "length", "longer than"),
    ],
)
def test_processing_ends_failed_or_rejected(
    run: Run, ysbx: SandboxServer, outcome: str, reason: str, words: str
) -> None:
    key = "failure_reason" if outcome == "failed" else "rejection_reason"
    ysbx.youtube.configure(processing_outcome=outcome, **{key: reason})
    done = _final(run, run.send().video_id or "")
    assert done.upload_status == outcome and not done.ok
    assert getattr(done, key) == reason and words in done.plain


def test_the_same_bytes_twice_are_rejected_as_duplicate(run: Run) -> None:
    run.send()
    again = _final(run, run.send().video_id or "")
    assert again.rejection_reason == "duplicate" and "already has" in again.plain


def test_an_unknown_id_is_missing_and_links_are_built(run: Run) -> None:
    gone = run.client.video_status(run.token, "nosuchvideo")
    assert gone.upload_status == "missing" and not gone.final
    assert video_url("abc", short=True) == "https://www.youtube.com/shorts/abc"
    assert video_url("abc", short=False) == "https://www.youtube.com/watch?v=abc"
