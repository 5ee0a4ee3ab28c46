"""Real huey consumers in other processes: one is SIGKILLed mid-upload, the sweeper hands the
post to a fresh worker, and that one finishes it without sending anything twice."""

from __future__ import annotations

import datetime as dt
import signal
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask

from studio.db import utcnow
from studio.platforms.models import DeliveryStatus
from studio.posts import tasks
from studio.sandbox import holds
from tests.helpers import delivery_of, sent_sha256
from tests.posts.conftest import held_chunk, load, queue_held_upload
from tests.workers import Workers, wait_for


@pytest.fixture
def queue(app: Flask, tmp_path: Path) -> Iterator[Callable[[], object]]:
    """Switch the app to a real SQLite queue; yields a starter of worker processes."""
    workers = Workers(app, tmp_path, POSTS_LEASE_SECONDS=1)
    yield workers.start
    workers.stop()


def test_worker_killed_mid_upload_resumes_and_sends_once(app, sandbox, account, queue):
    # Chunks of 32 MB and 38 MB: the first goes at once; the second is parked with half of it
    # received, so the kill lands mid-upload.
    video, post_id = queue_held_upload(app, sandbox, account, 70_000_000)
    first = queue()
    held = held_chunk(sandbox, "mid_body", first)
    first.send_signal(signal.SIGKILL)
    first.wait()
    holds.release(sandbox.state, held.id)
    post = load(app, post_id)
    assert post.status == DeliveryStatus.UPLOADING and post.bytes_sent == 32_000_000
    # No heartbeat any more: the lease runs out, then the sweeper enqueues the post again.
    wait_for(lambda: load(app, post_id).lease_until < utcnow(), 10, "the lease to expire")
    with app.app_context():
        assert tasks.sweep() == 1
    second = queue()
    wait_for(lambda: load(app, post_id).is_terminal, 60, "the second worker to finish", second)
    post = load(app, post_id)
    assert post.status == DeliveryStatus.IN_INBOX
    state = sandbox.state.summary()
    assert state["counters"]["inits"] == 1  # resumed from the publish_id, not re-initialised
    completed = [u for u in state["completed_uploads"] if u["publish_id"] == post.remote_id]
    assert completed == [
        {"publish_id": post.remote_id, "bytes": 70_000_000, "sha256": sent_sha256(app, video)}
    ]
    assert len(state["completed_uploads"]) == 1
    with app.app_context():
        assert delivery_of(post_id).finished_at > utcnow() - dt.timedelta(minutes=5)
