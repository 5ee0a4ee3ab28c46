"""A video another platform takes but TikTok does not: refused for TikTok at prepare and send."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import func, select

from studio import db
from studio.platforms.models import Delivery, DeliveryStatus
from studio.posts.models import Post
from tests.posts.conftest import drive, make_post, prepare


@pytest.fixture
def sandbox_app(make_sandbox_app) -> Flask:
    """A deployment that offers YouTube too: the library keeps a 20 fps video for it."""
    return make_sandbox_app(YOUTUBE_CLIENT_ID="youtube-client")


TWENTY_FPS = "TikTok cannot take this video: frame rate 20 fps; TikTok needs 23–60."


def _counts(app) -> tuple[int, int]:
    with app.app_context():
        return (
            db.session.scalar(select(func.count(Post.id))) or 0,
            db.session.scalar(select(func.count(Delivery.id))) or 0,
        )


def test_prepare_for_tiktok_names_the_broken_rule_and_stores_nothing(
    app, sandbox_client, account, make_stored_video
):
    video = make_stored_video(fps=20, pattern="flat")  # the library keeps it: YouTube takes it
    page = sandbox_client.get(f"/videos/{video.id}").get_data(as_text=True)
    assert "<strong>TikTok:</strong> frame rate 20 fps; TikTok needs 23–60" in page
    response = prepare(sandbox_client, video.id, account.id)
    html = response.get_data(as_text=True)
    assert response.status_code == 400, html
    assert TWENTY_FPS in html
    assert _counts(app) == (0, 0)


def test_the_sender_refuses_it_before_anything_is_sent(app, sandbox, account, make_stored_video):
    video = make_stored_video(fps=20, pattern="flat")
    post_id = make_post(app, video, account)  # a post made past the prepare page
    delivery = drive(app, post_id)
    assert delivery.status == DeliveryStatus.FAILED and delivery.fail_reason == "invalid_video"
    assert delivery.fail_message == (
        "TikTok cannot take this video: frame rate 20 fps; TikTok needs 23–60. Nothing was sent."
    )
    assert delivery.retryable is False
    assert sandbox.state.summary()["counters"].get("inits", 0) == 0
