"""The resumable upload over real HTTP: streamed chunks, cuts, resume, expiry, quotas."""

from __future__ import annotations

import tracemalloc
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from studio.platforms.retry import RetryAction
from studio.platforms.youtube.client import YouTubeClient
from studio.platforms.youtube.errors import (
    InvalidMetadata,
    QuotaExceeded,
    ServerError,
    UploadLimitExceeded,
    retry_action,
)
from studio.sandbox.server import SandboxServer
from studio.transport import Exchange, TransportError
from tests.platforms.youtube.support import UNIT, connect, details, video_file
from tests.platforms.youtube.upload_support import Run, videos
from tests.sandbox.youtube.support import Google

SIZE = 5 * UNIT + 1000


@pytest.fixture
def run(client: YouTubeClient, http: requests.Session, tmp_path: Path) -> Run:
    return Run(client, connect(client, http).access_token, video_file(tmp_path, SIZE))


def _puts(seen: list[Exchange]) -> list[Exchange]:
    return [e for e in seen if e.kind == "upload"]


def _fault(yt: Google, kind: str, **rule: object) -> None:
    rule = {"endpoint": "/google/upload/", "kind": kind, **rule}
    yt.control("faults", {"fail_next": [rule]})


def test_upload_streams_unit_multiples_into_one_video(
    run: Run, ysbx: SandboxServer, seen: list[Exchange]
) -> None:
    done = run.send()
    assert done.done and done.offset == SIZE and done.upload_status == "uploaded"
    assert run.offsets == [0, 2 * UNIT, 4 * UNIT, SIZE] and len(run.sessions) == 1
    (video,) = videos(ysbx)
    assert video["id"] == done.video_id and video["sha256"] == run.sha256()
    assert video["metadata"]["status"]["privacyStatus"] == "unlisted"
    sizes = [e.request_body_size for e in _puts(seen)]
    assert sizes == [2 * UNIT, 2 * UNIT, UNIT + 1000]
    ranges = [e.request_headers["Content-Range"] for e in _puts(seen)]
    assert ranges[0] == f"bytes 0-{2 * UNIT - 1}/{SIZE}" and "Transfer-Encoding" not in str(seen)


def test_unaligned_chunk_is_refused_before_sending(run: Run, seen: list[Exchange]) -> None:
    uri = run.start()
    with open(run.path, "rb") as fh, pytest.raises(ValueError, match="multiple of 262144"):
        run.client.upload_chunk(uri, fh, 0, UNIT + 1, SIZE, content_type="video/mp4")
    with pytest.raises(ValueError, match="chunk_size"):
        run.send(chunk=UNIT + 1)
    assert _puts(seen) == []


def test_cut_mid_chunk_resumes_from_googles_count(
    run: Run, yt: Google, ysbx: SandboxServer, seen: list[Exchange]
) -> None:
    # after the insert and one chunk, the second chunk (2U..4U) is cut after one unit
    _fault(yt, "drop_mid", skip=2)
    done = run.send()
    assert run.offsets == [0, 2 * UNIT, 3 * UNIT, 5 * UNIT, SIZE]  # asked: 3U kept
    queries = [e for e in _puts(seen) if e.request_headers["Content-Range"] == f"bytes */{SIZE}"]
    assert len(queries) == 1 and queries[0].status == 308
    assert len(run.waits) == 1 and len(run.sessions) == 1
    (video,) = videos(ysbx)
    assert video["id"] == done.video_id and video["sha256"] == run.sha256()


def test_lost_final_answer_is_the_same_single_video(
    run: Run, yt: Google, ysbx: SandboxServer
) -> None:
    _fault(yt, "drop_after", skip=3)  # after the insert and two chunks: the last answer is lost
    done = run.send()
    assert [v["id"] for v in videos(ysbx)] == [done.video_id]


def test_a_stored_session_is_asked_first_then_resumed(
    run: Run, ysbx: SandboxServer, seen: list[Exchange]
) -> None:
    uri = run.start()
    with open(run.path, "rb") as fh:
        half = run.client.upload_chunk(uri, fh, 0, 2 * UNIT, SIZE, content_type="video/mp4")
    assert half.offset == 2 * UNIT and not half.done
    before = len(seen)
    done = run.send(session_uri=uri)
    assert seen[before].request_headers["Content-Range"] == f"bytes */{SIZE}"
    assert run.offsets[0] == 2 * UNIT and run.sessions == []
    assert [v["id"] for v in videos(ysbx)] == [done.video_id]
    assert run.client.upload_status(uri, SIZE).video_id == done.video_id  # finished: same video


@pytest.mark.parametrize("status", [404, 410])
def test_expired_session_starts_a_new_one(
    run: Run, yt: Google, ysbx: SandboxServer, status: int
) -> None:
    ysbx.youtube.configure(session_expired_status=status)
    uri = run.start()
    yt.control("sessions/expire")
    done = run.send(session_uri=uri)
    assert len(run.sessions) == 1 and run.sessions[0] != uri and run.offsets[0] == 0
    assert [v["id"] for v in videos(ysbx)] == [done.video_id]
    assert videos(ysbx)[0]["sha256"] == run.sha256()


def test_server_errors_back_off_a_bounded_number_of_times(run: Run, yt: Google) -> None:
    _fault(yt, "503", count=50)
    with pytest.raises(ServerError) as caught:
        run.send(attempts=3)
    assert len(run.waits) == 2 and retry_action(caught.value) is RetryAction.BACKOFF


def test_a_cut_connection_never_names_the_session(run: Run, yt: Google) -> None:
    uri = run.start()
    upload_id = parse_qs(urlsplit(uri).query)["upload_id"][0]
    _fault(yt, "drop")
    with pytest.raises(TransportError) as caught:
        run.client.upload_status(uri, SIZE)
    assert upload_id not in str(caught.value) and caught.value.kind == "connection"


def test_final_answer_200_is_accepted(run: Run, ysbx: SandboxServer) -> None:
    ysbx.youtube.configure(final_status=200)
    assert run.send().video_id == videos(ysbx)[0]["id"]


def test_project_quota_and_channel_cap_are_told_apart(run: Run, ysbx: SandboxServer) -> None:
    ysbx.youtube.configure(channel_uploads_per_day=1)
    run.start()
    with pytest.raises(UploadLimitExceeded) as cap:
        run.start()
    assert "channel" in cap.value.plain and retry_action(cap.value) is RetryAction.NEXT_WINDOW
    ysbx.youtube.configure(channel_uploads_per_day=None, upload_calls_per_day=2)
    with pytest.raises(QuotaExceeded) as quota:
        run.start()
    assert "midnight Pacific" in quota.value.plain and quota.value.http_status == 403
    assert retry_action(quota.value) is RetryAction.NEXT_WINDOW


def test_google_side_metadata_refusal_names_the_field(run: Run, ysbx: SandboxServer) -> None:
    ysbx.youtube.configure(required_parts=["snippet", "status", "recordingDetails"])
    with pytest.raises(InvalidMetadata) as caught:
        run.start()
    assert caught.value.field == "part" and retry_action(caught.value) is RetryAction.TERMINAL


def test_details_at_every_limit_are_accepted_by_the_sandbox(
    run: Run, ysbx: SandboxServer, seen: list[Exchange]
) -> None:
    run.meta = details(title="😀" * 50, description="é" * 2500, tags=("a b",) * 83 + ("ab",))
    assert run.start()
    invalid = details(title="😀" * 51)
    before = len(seen)
    with pytest.raises(InvalidMetadata):
        run.client.start_upload(run.token, invalid, SIZE, "video/mp4")
    assert len(seen) == before  # refused before anything was sent


def test_memory_stays_below_one_chunk(
    client: YouTubeClient, http: requests.Session, tmp_path: Path
) -> None:
    """Chunks are streamed in 1 MiB blocks (both ends of the loopback count here)."""
    big = Run(client, connect(client, http).access_token, video_file(tmp_path, 40 << 20))
    chunk = 128 * UNIT  # 32 MiB
    tracemalloc.start()
    try:
        big.send(chunk=chunk)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(big.offsets) == 3 and peak < chunk // 2, f"peak {peak / 2**20:.1f} MiB"
