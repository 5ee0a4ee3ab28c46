"""A worker SIGKILLed halfway through a YouTube chunk: the next one resumes the same session."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from studio.platforms.models import DeliveryStatus
from studio.posts import tasks
from studio.sandbox import holds
from studio.sandbox.server import SandboxServer
from tests.faults.support import settle
from tests.helpers import delivery_of
from tests.platforms.youtube.send_support import (
    CHUNK,
    counters,
    file_sha256,
    videos,
    youtube_post,
)
from tests.workers import Workers, wait_for

SIZE = 3 * CHUNK + 4321  # four PUTs; the third is cut


def test_sigkill_mid_chunk_resumes_the_same_session_without_a_second_video(
    send_app: Flask, yt_sandbox: SandboxServer, yt_channel: int, tmp_path: Path, tally
):
    """Fault: the worker sending the third chunk is SIGKILLed when half of it reached YouTube
    (YouTube keeps its whole 256 KiB units, more than the row recorded). A fresh worker takes
    the delivery over once the lease expires.

    Asserts: published; one session, one video, byte-exact; every byte arrived once (the
    new worker asked the session where it stands and resumed at its Range).
    """
    send_app.config.update(POSTS_LEASE_SECONDS=2)
    workers = Workers(send_app, tmp_path)
    try:
        first = workers.start()
        workers.wait_ready(first)
        state = yt_sandbox.youtube
        holds.arm(state, ["/google/upload/"], skip=3)  # the session, chunks 1 and 2 pass
        post_id = youtube_post(send_app, yt_channel, size=SIZE)
        with send_app.app_context():
            tasks.send_delivery(delivery_of(post_id).id)
        held = wait_for(lambda: holds.parked(state), 60, "the third chunk", first)[0]
        holds.release(state, held.id, then="mid_body")
        held = wait_for(lambda: holds.parked(state), 60, "half of the third chunk", first)[0]
        assert held.phase == "mid_body" and workers.owner_of(held.port) is first
        workers.kill(first)
        holds.release(state, held.id)
        workers.start()
        [delivery] = settle(send_app, [post_id], timeout=90)
    finally:
        workers.stop()
    seen = counters(yt_sandbox)
    tally(1, 0 if delivery.status == DeliveryStatus.PUBLISHED else 1, "(YouTube, mid-chunk)")
    assert delivery.status == DeliveryStatus.PUBLISHED, delivery.fail_message
    assert seen["sessions_started"] == 1 and seen["uploads_completed"] == 1
    assert seen["status_queries"] >= 1 and seen["bytes_received"] == SIZE
    [video] = videos(yt_sandbox)
    assert video["id"] == delivery.remote_id
    assert video["sha256"] == file_sha256(send_app, post_id)
