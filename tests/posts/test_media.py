"""PULL_FROM_URL: TikTok downloads from a signed, expiring, Range-capable media URL."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from flask import Flask
from werkzeug.serving import make_server

from studio import db
from studio.platforms.models import Delivery, DeliveryStatus, Source
from studio.posts import media
from tests.helpers import sent_sha256
from tests.posts.conftest import delivery_id, drive, load, make_post


@pytest.fixture
def served(app: Flask) -> Iterator[str]:
    """The app itself on a loopback port, so the sandbox can pull from it."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    app.config["PUBLIC_MEDIA_BASE"] = base
    yield base
    server.shutdown()
    thread.join(timeout=5)


def test_tiktok_pulls_the_video_from_us(app, served, sandbox, account, video):
    sandbox.configure(allow_http_pull=True, verified_url_prefixes=[served + "/media/"])
    post_id = make_post(app, video, account)
    assert load(app, post_id).source == Source.PULL_FROM_URL
    post = drive(app, post_id)
    assert post.status == DeliveryStatus.IN_INBOX
    assert post.remote_id.startswith("v_inbox_url~")
    published = sandbox.state.summary()["publishes"][post.remote_id]
    assert published["source"] == "PULL_FROM_URL" and published["sha256"] == sent_sha256(app, video)
    assert sandbox.state.summary()["counters"]["pulls_completed"] == 1


def test_unverified_prefix_fails_fast_with_the_reason(app, served, sandbox, account, video):
    sandbox.configure(allow_http_pull=True, verified_url_prefixes=["https://elsewhere.example/"])
    post = drive(app, make_post(app, video, account))
    assert post.status == DeliveryStatus.FAILED
    assert post.fail_reason == "url_ownership_unverified" and not post.retryable
    assert post.attempts == 0
    assert "not verified in the TikTok developer portal" in post.fail_message


def _media_post(app: Flask, video, account) -> tuple[int, str]:
    """A post's delivery and a media token naming it."""
    sending = delivery_id(app, make_post(app, video, account))
    with app.app_context():
        return sending, media.make_token(sending, video.content_hash)


def test_media_url_serves_ranges_without_login(app, served, account, video):
    sending, token = _media_post(app, video, account)
    client = app.test_client()
    with client.get(f"/media/{token}") as whole:
        assert whole.status_code == 200 and whole.mimetype == "video/mp4"
        body = whole.data
    assert len(body) == video.size_bytes
    with client.get(f"/media/{token}", headers={"Range": "bytes=10-19"}) as part:
        assert part.status_code == 206 and part.data == body[10:20]
        assert part.headers["Content-Range"] == f"bytes 10-19/{video.size_bytes}"
    with app.app_context():  # a link made before deliveries named the post, of the same id
        before_split = media._serializer().dumps({"p": sending, "s": video.content_hash})
    with client.get(f"/media/{before_split}") as old:
        assert old.status_code == 200 and old.data == body


def test_media_url_refuses_anyone_else(app, served, account, video):
    sending, token = _media_post(app, video, account)
    client = app.test_client()
    assert client.get(f"/media/{token[:-2]}xx").status_code == 403
    with app.app_context():
        other = media.make_token(sending, "0" * 64)
        assert client.get(f"/media/{other}").status_code == 403
        unknown = media.make_token(sending + 99, video.content_hash)
        assert client.get(f"/media/{unknown}").status_code == 403
    app.config["POSTS_MEDIA_URL_TTL"] = -1
    expired = client.get(f"/media/{token}")
    assert expired.status_code == 403 and b"expired" in expired.data
    app.config["POSTS_MEDIA_URL_TTL"] = 3600
    with app.app_context():
        db.session.get(Delivery, sending).status = DeliveryStatus.IN_INBOX
        db.session.commit()
    assert client.get(f"/media/{token}").status_code == 403  # finished: the link is dead
