"""TikTok's draft limit: counted, shown, and held (never failed) when reached."""

from __future__ import annotations

from studio import db
from studio.platforms.models import DeliveryStatus
from studio.platforms.tiktok.queries import pending_drafts
from studio.posts import services
from tests.posts.conftest import drive, load, make_post, prepare, run_once


def _fill_inbox(app, account, make_stored_video, count: int) -> list[int]:
    ids = []
    for i in range(count):
        video = make_stored_video(seconds=3.0 + i / 10, name=f"d{i}.mp4")
        ids.append(drive(app, make_post(app, video, account)).id)
    return ids


def test_sixth_draft_is_held_then_sent_when_a_slot_frees(
    app, sandbox, sandbox_client, account, make_stored_video
):
    sent = _fill_inbox(app, account, make_stored_video, 5)
    with app.app_context():
        assert pending_drafts(db.session, account.id) == 5
    sixth = make_stored_video(seconds=4.0, name="sixth.mp4")
    preview = prepare(sandbox_client, sixth.id, account.id).get_data(as_text=True)
    assert "5 of 5 drafts sent to this account in the last 24 hours" in preview
    post_id = make_post(app, sixth, account)
    assert run_once(app, post_id) == "deferred"
    held = load(app, post_id)
    assert held.status == DeliveryStatus.HELD and held.remote_id is None
    assert "Waiting for TikTok's draft limit" in held.label
    page = sandbox_client.get(f"/posts/{post_id}").get_data(as_text=True)
    assert "Waiting for TikTok&#39;s draft limit" in page
    assert sandbox.state.summary()["counters"]["inits"] == 5  # nothing was sent
    # The creator posts one draft in TikTok; the webhook frees a slot and wakes the held post.
    first = load(app, sent[0])
    sandbox.state.publishes[first.remote_id].status = "PUBLISH_COMPLETE"
    with app.app_context():
        services.apply_publish_event(
            db.session, "tiktok", first.remote_id, "post.publish.complete", {}
        )
        assert load(app, sent[0]).status == DeliveryStatus.PUBLISHED
    assert drive(app, post_id).status == DeliveryStatus.IN_INBOX


def test_tiktok_pending_share_refusal_holds_instead_of_failing(app, sandbox, account, video):
    sandbox.configure(pending_share_limit=0)
    post_id = make_post(app, video, account)
    assert run_once(app, post_id) == "deferred"
    post = load(app, post_id)
    assert post.status == DeliveryStatus.HELD
    assert post.fail_reason is None
    sandbox.configure(pending_share_limit=5)
    assert drive(app, post_id).status == DeliveryStatus.IN_INBOX
