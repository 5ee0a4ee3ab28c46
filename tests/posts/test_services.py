"""Leases, the call budget, webhook events and retention, against the real database."""

from __future__ import annotations

import datetime as dt

from studio import db
from studio.db import utcnow
from studio.platforms import budget, lease
from studio.platforms.models import Delivery, DeliveryStatus
from studio.posts import services, tasks
from studio.videos.models import Video
from studio.videos.storage import video_path
from tests.helpers import delivery_of
from tests.posts.conftest import delivery_id, drive, load, make_post


def test_lease_claim_is_exclusive_until_it_expires(app, account, video):
    post_id = make_post(app, video, account)
    sending = delivery_id(app, post_id)
    with app.app_context():
        session = db.session
        assert lease.claim(session, sending, "a", 30)
        assert not lease.claim(session, sending, "b", 30)
        assert lease.renew(session, sending, "a", 30)
        assert not lease.renew(session, sending, "b", 30)
        delivery = session.get(Delivery, sending)
        delivery.lease_until = utcnow() - dt.timedelta(seconds=1)
        session.commit()
        assert sending in services.due_deliveries(session)
        assert lease.claim(session, sending, "b", 30)
        assert not lease.renew(session, sending, "a", 30)
        lease.release(session, sending, "b")
        assert load(app, post_id).lease_owner is None


def test_finished_posts_are_never_claimed(app, account, video):
    post = drive(app, make_post(app, video, account))
    with app.app_context():
        assert not lease.claim(db.session, post.id, "z", 30)
        assert post.id not in services.due_deliveries(db.session)


def test_a_delivery_awaiting_approval_or_its_time_is_never_claimed(app, account, video):
    """Tried: an early enqueue (a stray job, a manual run) of an unapproved or future delivery."""
    sending = delivery_id(app, make_post(app, video, account))
    with app.app_context():
        session = db.session
        delivery = session.get(Delivery, sending)
        delivery.status = DeliveryStatus.AWAITING_APPROVAL
        session.commit()
        assert not lease.claim(session, sending, "a", 30)
        delivery.status = DeliveryStatus.QUEUED
        delivery.scheduled_at, delivery.started_at = utcnow() + dt.timedelta(hours=1), None
        session.commit()
        assert not lease.claim(session, sending, "a", 30)
        assert tasks.run(sending) == "skipped"
        delivery.scheduled_at = utcnow() - dt.timedelta(seconds=1)  # its time has come
        session.commit()
        assert lease.claim(session, sending, "a", 30)


def test_budget_allows_the_limit_per_minute(app, account):
    with app.app_context():
        waits = [budget.take(db.session, account.id, "init", 6) for _ in range(7)]
    assert waits[:6] == [0.0] * 6
    assert 0 < waits[6] <= budget.WINDOW


def test_webhook_events_move_the_post(app, account, video):
    post = drive(app, make_post(app, video, account))
    assert post.status == DeliveryStatus.IN_INBOX
    with app.app_context():
        session = db.session
        apply = services.apply_publish_event
        assert apply(session, "tiktok", "unknown", "post.publish.complete", {}) is None
        assert apply(session, "youtube", post.remote_id, "post.publish.complete", {}) is None
        apply(session, "tiktok", post.remote_id, "post.publish.complete", {})
        apply(session, "tiktok", post.remote_id, "post.publish.publicly_available", {"post_id": 7})
        apply(
            session, "tiktok", post.remote_id, "post.publish.publicly_available", {"post_id": "7"}
        )
        apply(session, "tiktok", post.remote_id, "post.publish.failed", {"reason": "internal"})
    post = load(app, post.post_id)
    assert post.status == DeliveryStatus.PUBLISHED  # a late failure never undoes a publication
    assert post.remote_post_ids == ["7"]


def test_webhook_failure_explained(app, sandbox, account, video):
    post_id = make_post(app, video, account)
    with app.app_context():
        delivery = delivery_of(post_id)
        delivery.remote_id = "v_inbox_file~v2.1"
        db.session.commit()
        services.apply_publish_event(
            db.session,
            "tiktok",
            "v_inbox_file~v2.1",
            "post.publish.failed",
            {"reason": "spam_risk_text"},
        )
    post = load(app, post_id)
    assert post.status == DeliveryStatus.FAILED and "Reword it" in post.fail_message


def test_retention_deletes_files_of_sent_videos_only_after_the_period(
    app, account, make_stored_video
):
    old = make_stored_video(seconds=3.0, name="old.mp4")
    recent = make_stored_video(seconds=3.1, name="recent.mp4")
    for video, age in ((old, 8), (recent, 1)):
        post = drive(app, make_post(app, video, account))
        with app.app_context():
            row = db.session.get(Delivery, post.id)
            row.finished_at = utcnow() - dt.timedelta(days=age)
            db.session.commit()
    with app.app_context():
        assert services.video_busy_reason(db.session, old) is None
        assert tasks.purge() == 1
        kept, gone = db.session.get(Video, recent.id), db.session.get(Video, old.id)
        assert gone.file_deleted_at is not None and not video_path(gone).exists()
        assert kept.has_file and video_path(kept).exists()
        assert tasks.purge() == 0


def test_videos_being_sent_are_busy(app, account, video):
    make_post(app, video, account)
    with app.app_context():
        assert "still sending" in services.video_busy_reason(db.session, video)
