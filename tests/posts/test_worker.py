"""Real huey consumers in other processes: one is SIGKILLed mid-upload, the sweeper hands the
post to a fresh worker, and that one finishes it without sending anything twice."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from studio import db, jobs
from studio.db import utcnow
from studio.posts import tasks
from studio.posts.models import Post, PostStatus
from studio.videos.models import Video
from studio.videos.storage import uploads_dir
from tests.posts.conftest import load, make_post

ROOT = Path(__file__).resolve().parents[2]
CONFIG_KEYS = (
    "ENV",
    "TESTING",
    "INSTANCE_PATH",
    "SECRET_KEY",
    "VAULT_KEYS",
    "AUDIT_SEAL_KEY",
    "DATABASE_URL",
    "SQLITE_SYNCHRONOUS",
    "TIKTOK_AUTH_URL",
    "TIKTOK_API_BASE",
    "TIKTOK_TIMEOUT",
    "POSTS_RETRY_BASE",
    "POSTS_RETRY_CAP",
    "POSTS_POLL_BASE",
    "POSTS_POLL_CAP",
)


@pytest.fixture
def queue(app: Flask, tmp_path: Path) -> Iterator[Callable[[], subprocess.Popen]]:
    """Switch the app to a real SQLite queue; yields a starter of worker processes."""
    app.config.update(
        HUEY_IMMEDIATE=False, HUEY_SQLITE_PATH=str(tmp_path / "jobs.db"), POSTS_LEASE_SECONDS=1
    )
    jobs.init_app(app)
    config: dict[str, Any] = {k: app.config[k] for k in CONFIG_KEYS}
    config.update(
        HUEY_IMMEDIATE=False, HUEY_SQLITE_PATH=app.config["HUEY_SQLITE_PATH"], POSTS_LEASE_SECONDS=1
    )
    started: list[subprocess.Popen] = []

    def start() -> subprocess.Popen:
        log = open(tmp_path / f"worker{len(started)}.log", "wb")  # noqa: SIM115
        env = {**os.environ, "STUDIO_TEST_APP_CONFIG": json.dumps(config)}
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.posts.worker_main"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        started.append(proc)
        return proc

    yield start
    for log in sorted(tmp_path.glob("worker*.log")):  # shown by pytest when a test fails
        print(f"--- {log.name}\n{log.read_text(errors='replace')[-4000:]}")
    for proc in started:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _wait(predicate: Callable[[], Any], timeout: float, what: str, worker: Any = None) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert worker is None or worker.poll() is None, "the worker process died"
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def _big_video(app: Flask, size: int) -> Video:
    """A stored video of random bytes large enough for two chunks (the sandbox does not probe)."""
    with app.app_context():
        name = f"{uuid.uuid4().hex}.mp4"
        data = os.urandom(size)
        (uploads_dir() / name).write_bytes(data)
        video = Video(
            sha256=hashlib.sha256(data).hexdigest(),
            display_name="big.mp4",
            storage_name=name,
            size_bytes=size,
            container="mp4",
            video_codec="h264",
            duration_s=10.0,
            width=540,
            height=960,
            fps=30.0,
        )
        db.session.add(video)
        db.session.commit()
        return video


def test_worker_killed_mid_upload_resumes_and_sends_once(app, sandbox, account, queue):
    video = _big_video(app, 70_000_000)  # chunks of 32 MB and 38 MB
    # The first chunk goes at once; the second hangs, so the kill lands mid-upload.
    sandbox.state.fault_rules.extend(
        [
            {"endpoint": "/upload/", "count": 1, "kind": "slow", "seconds": 0.01},
            {"endpoint": "/upload/", "count": 1, "kind": "slow", "seconds": 8.0},
        ]
    )
    post_id = make_post(app, video, account)
    with app.app_context():
        tasks.send_post(post_id)
    first = queue()
    _wait(lambda: load(app, post_id).next_chunk == 1, 30, "the first chunk", first)
    time.sleep(0.3)
    first.send_signal(signal.SIGKILL)
    first.wait()
    post = load(app, post_id)
    assert post.status == PostStatus.UPLOADING and post.bytes_sent == 32_000_000
    # No heartbeat any more: the lease runs out, then the sweeper enqueues the post again.
    _wait(lambda: load(app, post_id).lease_until < utcnow(), 10, "the lease to expire")
    with app.app_context():
        assert tasks.sweep() == 1
    second = queue()
    _wait(lambda: load(app, post_id).is_terminal, 60, "the second worker to finish", second)
    post = load(app, post_id)
    assert post.status == PostStatus.IN_INBOX
    state = sandbox.state.summary()
    assert state["counters"]["inits"] == 1  # resumed from the publish_id, not re-initialised
    completed = [u for u in state["completed_uploads"] if u["publish_id"] == post.publish_id]
    assert completed == [
        {"publish_id": post.publish_id, "bytes": 70_000_000, "sha256": video.sha256}
    ]
    assert len(state["completed_uploads"]) == 1
    with app.app_context():
        assert db.session.get(Post, post_id).finished_at > utcnow() - dt.timedelta(minutes=5)
