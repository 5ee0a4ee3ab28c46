"""Facebook Page Reels through the send job against the Meta sandbox (real HTTP, database)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from flask import Flask

from studio import db
from studio.db import utcnow
from studio.platforms.models import Delivery, DeliveryStatus
from studio.sandbox.meta import lifecycle
from studio.sandbox.server import SandboxServer
from tests.platforms.meta.sending.support import (
    PAGE_ID,
    load,
    make_post,
    run_once,
    set_video,
    sha256_of,
)
from tests.posts.conftest import drive

REELS = f"/meta/graph/v27.0/{PAGE_ID}/video_reels"


def reels(sandbox: SandboxServer) -> list[dict[str, Any]]:
    """Every Reel the sandbox published on a Page."""
    return list(sandbox.meta.state.reels_published)


def test_page_reel_is_started_uploaded_finished_and_published(
    app: Flask, sandbox: SandboxServer, accounts, reel
):
    """start → rupload (Page token) → finish PUBLISHED with the description → phases until
    published: PUBLISHED with the video id, the exact bytes, the caption and hashtags."""
    delivery = drive(app, make_post(app, reel, accounts["facebook"], "facebook"))
    assert delivery.status == DeliveryStatus.PUBLISHED, delivery.fail_message
    [out] = reels(sandbox)
    assert delivery.remote_post_ids == [out["video_id"]] == [delivery.remote_id]
    assert out["sha256"] == sha256_of(app, reel) and out["bytes"] == reel.size_bytes
    video = sandbox.meta.state.videos[delivery.remote_id]
    assert video.video_state == "PUBLISHED"
    assert video.params["description"] == "New kettle\n\n#kitchen"


@pytest.mark.parametrize(
    ("facts", "rule"),
    [
        ({"duration_s": 2.5}, "duration"),
        ({"duration_s": 91.0}, "duration"),
        ({"width": 1080, "height": 1080}, "aspect ratio"),
        ({"width": 360, "height": 640}, "resolution"),
        ({"fps": 20.0}, "frame rate"),
        ({"fps": 120.0}, "frame rate"),
    ],
)
def test_the_reels_spec_is_checked_before_anything_is_sent(
    app: Flask, sandbox: SandboxServer, accounts, reel, facts, rule
):
    """3–90 s, 9:16, at least 540×960, 24–60 fps: a video breaking one rule fails at once
    with that rule named, and Meta never hears of it."""
    set_video(app, reel.id, **facts)
    delivery = drive(app, make_post(app, reel, accounts["facebook"], "facebook"))
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.fail_reason == "invalid_reel" and not delivery.retryable
    assert f"the {rule}:" in delivery.fail_message and "Facebook Reels" in delivery.fail_message
    assert sandbox.meta.summary()["counters"].get("videos", 0) == 0


def test_instagram_checks_its_own_spec(app: Flask, sandbox: SandboxServer, accounts, reel):
    """Instagram's spec is wider (up to 15 min) but has its own rules: 2 s is too short."""
    set_video(app, reel.id, duration_s=2.0)
    delivery = drive(app, make_post(app, reel, accounts["instagram"], "instagram"))
    assert delivery.fail_reason == "invalid_reel" and "Instagram Reels" in delivery.fail_message
    assert sandbox.meta.summary()["counters"].get("containers", 0) == 0


def test_thirty_reels_a_day_per_page_are_counted_before_finishing(
    app: Flask, sandbox: SandboxServer, accounts, reel
):
    """The app counts the Page's Reels of the last 24 h itself: at the limit the delivery waits
    (HELD, uploaded, not finished) instead of asking Meta."""
    app.config["META_PAGE_REELS_PER_DAY"] = 1
    first = make_post(app, reel, accounts["facebook"], "facebook")
    assert drive(app, first).status == DeliveryStatus.PUBLISHED
    second = make_post(app, reel, accounts["facebook"], "facebook", caption="Second")
    assert run_once(app, second) == "deferred"
    held = load(app, second)
    assert held.status == DeliveryStatus.HELD and "1 of 1 Reels" in held.status_note
    assert held.bytes_sent == reel.size_bytes and len(reels(sandbox)) == 1
    with app.app_context():  # a day later the first one has left the window
        row = db.session.get(Delivery, load(app, first).id)
        row.sent_at = utcnow() - dt.timedelta(hours=25)
        db.session.commit()
    assert drive(app, second).status == DeliveryStatus.PUBLISHED and len(reels(sandbox)) == 2


def test_metas_own_page_limit_waits_for_the_window(
    app: Flask, sandbox: SandboxServer, accounts, reel
):
    """Meta refuses the finish (code 9, its 30-a-day limit): the delivery waits for the
    window (about an hour before looking again) instead of failing."""
    sandbox.meta.configure(page_reels_limit=0)
    post_id = make_post(app, reel, accounts["facebook"], "facebook")
    assert run_once(app, post_id) == "deferred"
    waiting = load(app, post_id)
    assert waiting.status == DeliveryStatus.WAITING_RETRY and "24 hours" in waiting.status_note
    assert (waiting.next_attempt_at - waiting.updated_at).total_seconds() > 3000
    sandbox.meta.configure(page_reels_limit=30)
    assert drive(app, post_id).status == DeliveryStatus.PUBLISHED


def test_a_finish_whose_answer_is_lost_is_not_sent_again(
    app: Flask, sandbox: SandboxServer, accounts, reel
):
    """Fault: finish takes effect, the answer is lost. The retry reads the video's status
    first, sees processing under way, and polls: one Reel (a second finish would be refused)."""
    sandbox.meta.fail_next(REELS, "drop_after", skip=1)  # the start passes; the finish drops
    delivery = drive(app, make_post(app, reel, accounts["facebook"], "facebook"))
    assert delivery.status == DeliveryStatus.PUBLISHED, delivery.fail_message
    assert len(reels(sandbox)) == 1
    assert sandbox.meta.summary()["counters"].get("fault_drop_after") == 1


def test_a_processing_error_fails_with_metas_words(
    app: Flask, sandbox: SandboxServer, accounts, reel
):
    """Meta gives up on the video while processing: FAILED with Meta's reason, retry offered."""
    sandbox.meta.configure(processing_delay=30)
    app.config["POSTS_INLINE_WAIT_MAX"] = 0
    post_id = make_post(app, reel, accounts["facebook"], "facebook")
    while load(app, post_id).status != DeliveryStatus.PROCESSING:
        assert run_once(app, post_id) == "deferred"
    assert lifecycle.fail_video(sandbox.meta.state, load(app, post_id).remote_id, "Too dark")
    delivery = drive(app, post_id)
    assert delivery.status == DeliveryStatus.FAILED and delivery.retryable
    assert "Too dark" in delivery.fail_message
