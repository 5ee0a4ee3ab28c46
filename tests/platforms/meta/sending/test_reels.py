"""Instagram Reels through the send job against the Meta sandbox (real HTTP, real database)."""

from __future__ import annotations

from typing import Any

from flask import Flask

from studio.platforms.models import DeliveryStatus
from studio.sandbox.server import SandboxServer
from tests.platforms.meta.sending.support import load, make_post, run_once, sha256_of
from tests.posts.conftest import drive


def published(sandbox: SandboxServer) -> list[dict[str, Any]]:
    """Every Reel the sandbox published on Instagram."""
    return list(sandbox.meta.state.ig_published)


def test_reel_is_uploaded_processed_and_published_once(
    app: Flask, sandbox: SandboxServer, accounts, reel
):
    """Container (REELS, caption with hashtags, share_to_feed, AI label) → rupload → FINISHED
    → publishing limit read → media_publish: PUBLISHED with the media id, the exact bytes."""
    post_id = make_post(app, reel, accounts["instagram"], "instagram", is_aigc=True)
    delivery = drive(app, post_id)
    assert delivery.status == DeliveryStatus.PUBLISHED, delivery.fail_message
    [reel_out] = published(sandbox)
    assert delivery.remote_post_ids == [reel_out["media_id"]]
    assert reel_out["container_id"] == delivery.remote_id
    assert reel_out["sha256"] == sha256_of(app, reel)
    params = reel_out["params"]
    assert params["media_type"] == "REELS" and params["upload_type"] == "resumable"
    assert params["caption"] == "New kettle\n\n#kitchen"
    assert params["share_to_feed"] is True and params["is_ai_generated"] is True
    assert delivery.bytes_sent == reel.size_bytes and delivery.transfer_url_enc is None


def test_the_publishing_limit_is_read_before_publishing_and_holds_at_zero(
    app: Flask, sandbox: SandboxServer, accounts, reel
):
    """content_publishing_limit before each publish: what is left is shown; at 0 the delivery
    waits (HELD) instead of publishing, and goes out once the quota allows it."""
    first = make_post(app, reel, accounts["instagram"], "instagram")
    assert drive(app, first).status == DeliveryStatus.PUBLISHED
    sandbox.meta.configure(publish_quota=1)
    second = make_post(app, reel, accounts["instagram"], "instagram", caption="Second")
    assert run_once(app, second) == "deferred"
    held = load(app, second)
    assert held.status == DeliveryStatus.HELD
    assert "publishing limit" in held.status_note and "1 of 1 Reels" in held.status_note
    assert len(published(sandbox)) == 1
    sandbox.meta.configure(publish_quota=2)
    done = drive(app, second)
    assert done.status == DeliveryStatus.PUBLISHED and len(published(sandbox)) == 2


def test_an_expired_container_is_replaced_and_published_once(
    app: Flask, sandbox: SandboxServer, accounts, reel
):
    """A container not published within 24 h reads EXPIRED: a new container is made and
    published; the expired one never is."""
    sandbox.meta.configure(processing_delay=30)  # stays IN_PROGRESS while the run polls
    app.config["POSTS_INLINE_WAIT_MAX"] = 0  # every wait ends the run
    post_id = make_post(app, reel, accounts["instagram"], "instagram")
    while load(app, post_id).status != DeliveryStatus.PROCESSING:
        assert run_once(app, post_id) == "deferred"
    old = load(app, post_id).remote_id
    assert sandbox.meta.expire_container(old)
    sandbox.meta.configure(processing_delay=0.05)
    app.config["POSTS_INLINE_WAIT_MAX"] = 20
    delivery = drive(app, post_id)
    assert delivery.status == DeliveryStatus.PUBLISHED
    assert delivery.restarts == 1 and delivery.remote_id != old
    assert [r["container_id"] for r in published(sandbox)] == [delivery.remote_id]


def test_a_container_error_fails_in_plain_words(app: Flask, sandbox: SandboxServer, accounts, reel):
    """ERROR with 2207026 (unsupported format): FAILED, the reason in words, no retry offered."""
    sandbox.meta.configure(container_error=2207026)
    delivery = drive(app, make_post(app, reel, accounts["instagram"], "instagram"))
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.fail_reason == "-1/2207026" and not delivery.retryable
    assert "format" in delivery.fail_message
    assert published(sandbox) == []


def test_a_publish_whose_answer_is_lost_is_found_published_not_sent_again(
    app: Flask, sandbox: SandboxServer, accounts, reel
):
    """Fault: media_publish takes effect but the connection dies before the answer. The
    retry reads status_code first: PUBLISHED, so the post is done: one Reel, never two."""
    sandbox.meta.fail_next("/meta/graph/v27.0/17841400000000001/media_publish", "drop_after")
    delivery = drive(app, make_post(app, reel, accounts["instagram"], "instagram"))
    assert delivery.status == DeliveryStatus.PUBLISHED
    assert len(published(sandbox)) == 1
    assert sandbox.meta.summary()["counters"].get("fault_drop_after") == 1


def test_transient_reads_rate_limits_and_server_errors_are_retried(
    app: Flask, sandbox: SandboxServer, accounts, reel
):
    """Faults: 100/33 on a status read (transient on reads), a 500 on the container, 80002
    (Instagram's business use case limit) on the publishing limit read: the Reel still goes
    out once; the rate limit waits for its window instead of retrying at once."""
    graph = "/meta/graph/v27.0/"
    sandbox.meta.fail_next(graph + "17841400000000001/media", "500")
    sandbox.meta.fail_next(graph + "179", "100/33")  # container ids start with 179
    sandbox.meta.fail_next(graph + "17841400000000001/content_publishing_limit", "80002")
    post_id = make_post(app, reel, accounts["instagram"], "instagram")
    delivery = drive(app, post_id)
    assert delivery.status == DeliveryStatus.PUBLISHED, delivery.fail_message
    assert len(published(sandbox)) == 1
    assert sandbox.meta.summary()["counters"]["faults_injected"] == 3


def test_a_rate_limit_defers_the_delivery_to_its_window(
    app: Flask, sandbox: SandboxServer, accounts, reel
):
    """Code 17 (user request limit): the run stops and the delivery waits about 10 minutes
    (Meta gave no estimate), saying why."""
    sandbox.meta.fail_next("/meta/graph/v27.0/17841400000000001/media", "17")
    post_id = make_post(app, reel, accounts["instagram"], "instagram")
    assert run_once(app, post_id) == "deferred"
    waiting = load(app, post_id)
    assert waiting.status == DeliveryStatus.WAITING_RETRY
    assert "slow down" in waiting.status_note
    assert (waiting.next_attempt_at - waiting.updated_at).total_seconds() > 500


def test_a_revoked_login_fails_with_reconnect(app: Flask, sandbox: SandboxServer, accounts, reel):
    """The person removed the app at Meta (190): FAILED, reconnect in words; nothing sent."""
    sandbox.meta.deauthorize("dana")
    delivery = drive(app, make_post(app, reel, accounts["instagram"], "instagram"))
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.fail_reason == "reconnect_needed" and "reconnect" in delivery.fail_message
    assert published(sandbox) == []


def test_a_cut_upload_resumes_from_the_offset_meta_reports(
    app: Flask, sandbox: SandboxServer, accounts, reel
):
    """Fault: rupload keeps half the body, then the connection dies. The sender asks Meta's
    offset and sends the rest from there (the sandbox refuses any other offset)."""
    sandbox.meta.fail_next("/meta/rupload/", "drop_mid")
    delivery = drive(app, make_post(app, reel, accounts["instagram"], "instagram"))
    assert delivery.status == DeliveryStatus.PUBLISHED
    [reel_out] = published(sandbox)
    assert reel_out["sha256"] == sha256_of(app, reel) and reel_out["bytes"] == reel.size_bytes
