"""Real workers: a delivery whose time came while no worker ran goes out once when two return."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from studio.db import utcnow
from studio.platforms.models import DeliveryStatus
from studio.posts import planning, tasks
from tests.posts.workflow import fresh, kinds, make_due, make_scheduled
from tests.workers import Workers, wait_for


@pytest.fixture
def workers(app: Flask, tmp_path: Path) -> Iterator[Workers]:
    """A real SQLite queue; workers start only when the test says."""
    pool = Workers(app, tmp_path, POSTS_LEASE_SECONDS=2)
    yield pool
    pool.stop()


def test_due_while_workers_were_down_goes_out_once_when_two_return(
    app, sandbox, account, video, workers
):
    post_id = make_scheduled(app, video, account, utcnow() + dt.timedelta(hours=1))
    assert fresh(app, post_id).status == DeliveryStatus.QUEUED
    make_due(app, post_id, dt.timedelta(minutes=12))
    # Both sweepers (one per returning worker host) hand the same delivery out: the lease
    # decides who sends.
    with app.app_context():
        assert tasks.sweep() == 1
        assert tasks.sweep() == 1
    first, second = workers.start(), workers.start()
    wait_for(lambda: fresh(app, post_id).is_terminal, 60, "a worker to send it", first)
    delivery = fresh(app, post_id)
    assert delivery.status == DeliveryStatus.IN_INBOX
    assert planning.lateness(delivery) == 12
    assert kinds(app, post_id).count("post:late") == 1
    state = sandbox.state.summary()
    assert state["counters"]["inits"] == 1
    assert len(state["completed_uploads"]) == 1
    assert second.poll() is None  # both ran; neither crashed
