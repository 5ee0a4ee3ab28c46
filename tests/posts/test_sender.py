"""The send job against the sandbox: faults, lost answers, crashes, expiry, give-up and retry."""

from __future__ import annotations

from collections import Counter

from studio import db, vault
from studio.platforms.lease import Heartbeat
from studio.platforms.models import DeliveryStatus
from studio.platforms.tiktok import services as tiktok
from studio.platforms.tiktok.sender import Sender
from studio.posts.models import Post
from studio.posts.parcels import parcel
from studio.videos.storage import video_path
from tests.helpers import delivery_of, sent_sha256
from tests.posts.conftest import drive, load, make_post, run_once

INBOX_INIT = "/v2/post/publish/inbox/video/init/"


def _completed(sandbox) -> Counter:
    return Counter(u["publish_id"] for u in sandbox.state.summary()["completed_uploads"])


def test_random_faults_every_post_finishes_once(app, sandbox, account, make_stored_video):
    videos = [make_stored_video(seconds=3.0 + i / 10, name=f"v{i}.mp4") for i in range(3)]
    # Retries can spend TikTok's 6 inits a minute; the app then waits for its own budget to
    # free up. TikTok's limits and the app's budget on a 5 s clock keep the test from
    # waiting out a whole minute.
    app.config["POSTS_RATE_WINDOW"] = 5.0
    sandbox.configure(
        fault_rate=0.3, fault_kinds=["500", "503", "429", "drop"], seed=7, rate_limit_window=5.0
    )
    ids = [make_post(app, v, account) for v in videos]
    for post_id in ids:
        run_once(app, post_id)
    posts = [drive(app, post_id, timeout=40) for post_id in ids]
    sandbox.configure(fault_rate=0.0)
    assert [p.status for p in posts] == [DeliveryStatus.IN_INBOX] * 3
    completed = _completed(sandbox)
    assert sorted(completed) == sorted(p.remote_id for p in posts)
    assert set(completed.values()) == {1}
    hashes = {u["publish_id"]: u["sha256"] for u in sandbox.state.summary()["completed_uploads"]}
    assert [hashes[p.remote_id] for p in posts] == [sent_sha256(app, v) for v in videos]
    assert sandbox.state.summary()["counters"]["faults_injected"] > 0


def test_lost_answer_after_the_last_chunk_means_check_status(app, sandbox, account, video):
    sandbox.state.fault_rules.append(
        {"endpoint": "/upload/", "count": 1, "kind": "drop_after", "seconds": None}
    )
    post = drive(app, make_post(app, video, account))
    assert post.status == DeliveryStatus.IN_INBOX
    counters = sandbox.state.summary()["counters"]
    assert counters["chunks"] == 1 and counters.get("duplicate_chunks", 0) == 0
    assert counters["inits"] == 1


def test_lost_init_answer_never_duplicates_the_video(app, sandbox, account, video):
    sandbox.state.fault_rules.append(
        {"endpoint": INBOX_INIT, "count": 1, "kind": "drop_after", "seconds": None}
    )
    post = drive(app, make_post(app, video, account))
    assert post.status == DeliveryStatus.IN_INBOX
    assert sandbox.state.summary()["counters"]["inits"] == 2  # the first answer was lost
    assert list(_completed(sandbox).values()) == [1]


def test_crash_between_last_chunk_and_commit_resumes_by_status(app, sandbox, account, video):
    post_id = make_post(app, video, account)
    with app.app_context():
        post, delivery = db.session.get(Post, post_id), delivery_of(post_id)
        sender = Sender(
            db.session, delivery, parcel(post, delivery), Heartbeat(app, delivery.id, "test", 5)
        )
        sender.start()
        # The bytes reach TikTok, then the worker dies before recording bytes_sent.
        url = vault.unwrap(delivery.transfer_url_enc).decode()
        size = delivery.video_size
        tiktok.get_client().upload_chunk(
            url, video_path(post.video), 0, size - 1, size, "video/mp4"
        )
        assert delivery.bytes_sent == 0
    assert run_once(app, post_id) == "done"
    post = load(app, post_id)
    assert post.status == DeliveryStatus.IN_INBOX
    counters = sandbox.state.summary()["counters"]
    assert counters["inits"] == 1 and counters["chunks"] == 1
    assert counters.get("duplicate_chunks", 0) == 0


def test_expired_upload_url_gets_a_fresh_init(app, sandbox, account, video):
    sandbox.configure(upload_url_ttl=0.5)
    sandbox.state.fault_rules.append(
        {"endpoint": "/upload/", "count": 1, "kind": "slow", "seconds": 1.0}
    )
    post = drive(app, make_post(app, video, account))
    assert post.status == DeliveryStatus.IN_INBOX
    assert post.restarts == 1
    state = sandbox.state.summary()
    assert state["counters"]["inits"] == 2
    abandoned = [p for pid, p in state["publishes"].items() if pid != post.remote_id]
    assert [p["fail_reason"] for p in abandoned] == ["publish_cancelled"]  # frees the slot
    assert list(_completed(sandbox).values()) == [1]


def test_expired_access_token_is_refreshed_once(app, sandbox, account, video):
    sandbox.state.fault_rules.append(
        {"endpoint": INBOX_INIT, "count": 1, "kind": "401", "seconds": None}
    )
    post = drive(app, make_post(app, video, account))
    assert post.status == DeliveryStatus.IN_INBOX
    assert sandbox.state.summary()["counters"]["inits"] == 1


def test_gives_up_after_bounded_attempts_then_retry_continues(
    app, sandbox, sandbox_client, account, video
):
    sandbox.state.fault_rules.append(
        {"endpoint": "/v2/post/publish/status/", "count": 50, "kind": "503", "seconds": None}
    )
    post = drive(app, make_post(app, video, account))
    assert post.status == DeliveryStatus.FAILED and post.fail_reason == "gave_up"
    assert post.retryable and "several attempts" in post.fail_message
    sandbox.state.fault_rules.clear()
    page = sandbox_client.get(f"/posts/{post.post_id}").get_data(as_text=True)
    assert ">Try again</button>" in page
    from tests.helpers import extract_csrf

    response = sandbox_client.post(
        f"/posts/{post.post_id}/retry", data={"csrf_token": extract_csrf(page)}
    )
    assert response.status_code == 302
    post = drive(app, post.post_id)
    assert post.status == DeliveryStatus.IN_INBOX
    assert sandbox.state.summary()["counters"]["inits"] == 1  # continued from the publish_id
