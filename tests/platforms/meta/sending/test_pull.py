"""Instagram downloads the Reel from the app's signed media URL when PUBLIC_MEDIA_BASE is set."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from flask import Flask
from werkzeug.serving import make_server

from studio.platforms.models import DeliveryStatus
from studio.sandbox.server import SandboxServer
from tests.platforms.meta.sending.support import load, make_post, run_once, sha256_of
from tests.posts.conftest import drive


@pytest.fixture
def served(app: Flask, sandbox: SandboxServer) -> Iterator[str]:
    """The app itself on a loopback port, so the sandbox can pull from it."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    app.config["PUBLIC_MEDIA_BASE"] = base
    sandbox.meta.configure(allow_http_pull=True)
    yield base
    server.shutdown()
    thread.join(timeout=5)


def test_instagram_pulls_the_reel_from_the_media_url(
    app: Flask, sandbox: SandboxServer, served: str, accounts, reel
):
    """The container carries `video_url` (no rupload); Meta downloads the exact bytes."""
    post_id = make_post(app, reel, accounts["instagram"], "instagram", pull=True)
    delivery = drive(app, post_id)
    assert delivery.status == DeliveryStatus.PUBLISHED, delivery.fail_message
    [out] = sandbox.meta.state.ig_published
    assert out["sha256"] == sha256_of(app, reel)
    assert "upload_type" not in out["params"]
    assert sandbox.meta.summary()["counters"]["pulls_completed"] == 1


def test_a_download_timeout_makes_a_new_container(
    app: Flask, sandbox: SandboxServer, served: str, accounts, reel
):
    """2207003 (Meta timed out downloading; its text does not name the file): the container is
    ERROR, so a new one is made, and that one is published; one Reel in all."""
    sandbox.meta.configure(processing_delay=30)
    app.config["POSTS_INLINE_WAIT_MAX"] = 0  # every wait ends the run
    post_id = make_post(app, reel, accounts["instagram"], "instagram", pull=True)
    assert run_once(app, post_id) == "deferred"
    first = load(app, post_id).remote_id
    assert sandbox.meta.fail_container(first, 2207003)
    sandbox.meta.configure(processing_delay=0.05)
    app.config["POSTS_INLINE_WAIT_MAX"] = 20
    delivery = drive(app, post_id)
    assert delivery.status == DeliveryStatus.PUBLISHED, delivery.fail_message
    assert delivery.restarts == 1 and delivery.remote_id != first
    assert [r["container_id"] for r in sandbox.meta.state.ig_published] == [delivery.remote_id]
