"""The send job to YouTube against the sandbox: rules, resumable upload, quota, processing."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from sqlalchemy import select

from studio import db
from studio.db import utcnow
from studio.platforms.models import DeliveryStatus, QuotaDay
from studio.platforms.youtube.errors import next_pacific_midnight
from tests.helpers import csrf_token
from tests.platforms.youtube.app_support import stored_text
from tests.platforms.youtube.send_support import (
    CHUNK,
    SIZE,
    UNIT,
    counters,
    file_sha256,
    session_secrets,
    videos,
    youtube_post,
)
from tests.posts.conftest import drive, load, run_once

DAY = 86_400


def _quota(app) -> dict[str, tuple[int, bool]]:
    with app.app_context():
        rows = db.session.scalars(select(QuotaDay)).all()
        db.session.commit()
        return {r.bucket: (r.used, r.exhausted) for r in rows}


def test_happy_path_publishes_once_with_id_and_link(send_app, yt_sandbox, yt_channel):
    post_id = youtube_post(send_app, yt_channel, is_aigc=True)
    delivery = drive(send_app, post_id)
    assert delivery.status == DeliveryStatus.PUBLISHED, delivery.fail_message
    [video] = videos(yt_sandbox)
    assert delivery.remote_id == video["id"] and delivery.remote_post_ids == [video["id"]]
    # 540×960 and 10 s: a Short.
    assert delivery.remote_url == f"https://www.youtube.com/shorts/{video['id']}"
    assert video["sha256"] == file_sha256(send_app, post_id) and video["bytes"] == SIZE
    snippet, status = video["metadata"]["snippet"], video["metadata"]["status"]
    assert snippet["title"] == "Our new kettle"  # no title typed: the caption's first line
    assert snippet["description"] == "Our new kettle\nBoils in 90 seconds.\n\n#kettle"
    assert snippet["tags"] == ["kettle", "kitchen design"] and snippet["categoryId"] == "22"
    assert status["privacyStatus"] == "unlisted"
    assert status["selfDeclaredMadeForKids"] is False
    assert status["containsSyntheticMedia"] is True  # the post's AI flag
    assert video["notify_subscribers"] is False
    assert delivery.transfer_url_enc is None and delivery.bytes_sent == SIZE
    assert counters(yt_sandbox)["sessions_started"] == 1
    quota = _quota(send_app)
    assert quota["uploads"] == (1, False) and quota["units"][0] >= 1


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"title": "x" * 101}, "snippet.title", "at most 100 characters (it has 101)"),
        ({"title": "Kettle <b>new</b>"}, "snippet.title", "< and > are not allowed"),
        ({"caption": "é" * 2501}, "snippet.description", "at most 5000 bytes (it has 5"),
        ({"tags": ["t" * 250, "u" * 251]}, "snippet.tags", "at most 500 characters in all"),
        ({"privacy_status": None}, "status.privacyStatus", "choose private, unlisted or public"),
        ({"privacy_status": "friends"}, "status.privacyStatus", "explicitly"),
        ({"made_for_kids": None}, "status.selfDeclaredMadeForKids", "explicit yes or no"),
        ({"category_id": "99"}, "snippet.categoryId", "not an assignable category"),
    ],
)
def test_each_broken_rule_is_named_and_nothing_is_sent(
    send_app, yt_sandbox, yt_channel, changes, field, words
):
    post_id = youtube_post(send_app, yt_channel, **changes)
    delivery = drive(send_app, post_id)
    assert delivery.status == DeliveryStatus.FAILED and delivery.fail_reason == "invalid_metadata"
    assert field in delivery.fail_message and words in delivery.fail_message
    assert delivery.fail_message.startswith("The video's details break YouTube's rules")
    assert counters(yt_sandbox).get("insert_calls", 0) == 0 and videos(yt_sandbox) == []


def test_cut_upload_resumes_at_the_sessions_range_without_a_second_video(
    send_app, yt_sandbox, yt_channel
):
    send_app.config["POSTS_INLINE_WAIT_MAX"] = 0.0  # the retry is a later run
    # The second chunk is cut after half its body: YouTube keeps its first 256 KiB unit.
    yt_sandbox.youtube.fault_rules.append(
        {"endpoint": "/google/upload/", "kind": "drop_mid", "count": 1, "skip": 2, "seconds": None}
    )
    post_id = youtube_post(send_app, yt_channel)
    assert run_once(send_app, post_id) == "deferred"
    cut = load(send_app, post_id)
    assert cut.status == DeliveryStatus.WAITING_RETRY and cut.remote_id is None
    assert cut.bytes_sent == CHUNK and cut.transfer_url_enc  # recorded after the first chunk
    [session] = yt_sandbox.youtube.summary()["sessions"]
    assert session["received"] == CHUNK + UNIT  # more than we recorded: ask, don't assume
    delivery = drive(send_app, post_id)
    assert delivery.status == DeliveryStatus.PUBLISHED
    seen = counters(yt_sandbox)
    assert seen["sessions_started"] == 1 and seen["status_queries"] >= 1
    assert seen["bytes_received"] == SIZE  # no byte sent twice (the sandbox refuses overlap)
    [video] = videos(yt_sandbox)
    assert video["sha256"] == file_sha256(send_app, post_id)


@pytest.mark.parametrize("gone", [404, 410])
def test_expired_session_starts_a_new_one(send_app, yt_sandbox, yt_channel, gone):
    send_app.config["POSTS_INLINE_WAIT_MAX"] = 0.0
    yt_sandbox.youtube.configure(session_expired_status=gone)
    yt_sandbox.youtube.fault_rules.append(
        {"endpoint": "/google/upload/", "kind": "503", "count": 1, "skip": 2, "seconds": None}
    )
    post_id = youtube_post(send_app, yt_channel)
    assert run_once(send_app, post_id) == "deferred"  # mid-upload, waiting to retry
    with yt_sandbox.youtube.lock:
        for session in yt_sandbox.youtube.sessions.values():
            session.expires_at = yt_sandbox.youtube.now() - 1
    delivery = drive(send_app, post_id)
    assert delivery.status == DeliveryStatus.PUBLISHED and delivery.restarts == 1
    seen = counters(yt_sandbox)
    assert seen["sessions_started"] == 2 and seen["expired_session_calls"] >= 1
    [video] = videos(yt_sandbox)  # the first session never became a video
    assert video["id"] == delivery.remote_id and video["bytes"] == SIZE


def test_projects_quota_spent_at_google_waits_for_pacific_midnight(
    send_app, yt_sandbox, yt_admin, yt_channel
):
    yt_sandbox.youtube.configure(upload_calls_per_day=0)  # Google: 403 quotaExceeded
    first = youtube_post(send_app, yt_channel)
    assert run_once(send_app, first) == "deferred"
    held = load(send_app, first)
    assert held.status == DeliveryStatus.HELD and held.label == "Waiting for YouTube's daily quota"
    assert "after midnight Pacific time" in held.status_note
    midnight = next_pacific_midnight(utcnow())
    assert midnight <= held.next_attempt_at <= midnight + dt.timedelta(seconds=61)
    assert _quota(send_app)["uploads"][1] is True  # every worker now knows
    # A second post waits on the app's own count: Google is not asked again today.
    second = youtube_post(send_app, yt_channel)
    assert run_once(send_app, second) == "deferred"
    assert load(send_app, second).status == DeliveryStatus.HELD
    assert counters(yt_sandbox)["quota_exceeded"] == 1
    page = yt_admin.get(f"/posts/{first}").get_data(as_text=True)
    assert "Waiting for YouTube&#39;s daily quota" in page and "midnight Pacific time" in page
    assert "TikTok" not in page.split('class="card delivery-card"')[1].split("</section>")[0]


def test_own_daily_count_holds_without_calling_google(send_app, yt_sandbox, yt_channel):
    send_app.config["YOUTUBE_QUOTA_UPLOADS_PER_DAY"] = 0
    post_id = youtube_post(send_app, yt_channel)
    assert run_once(send_app, post_id) == "deferred"
    assert load(send_app, post_id).status == DeliveryStatus.HELD
    assert counters(yt_sandbox).get("insert_calls", 0) == 0


def test_channels_upload_cap_is_not_the_projects_quota(send_app, yt_sandbox, yt_channel):
    yt_sandbox.youtube.configure(channel_uploads_per_day=0)  # 400 uploadLimitExceeded
    post_id = youtube_post(send_app, yt_channel)
    assert run_once(send_app, post_id) == "deferred"
    held = load(send_app, post_id)
    assert held.status == DeliveryStatus.HELD and "limit of the channel" in held.status_note
    assert held.next_attempt_at > utcnow() + dt.timedelta(hours=23)
    assert _quota(send_app)["uploads"] == (1, False)  # the project's quota is fine


@pytest.mark.parametrize(
    ("outcome", "reason", "words"),
    [
        ("failed", "codec", "YouTube could not decode the video's codec."),
        ("rejected", "copyright", "YouTube rejected the video for a copyright infringement."),
        ("rejected", "duplicate", "The channel already has this exact video."),
    ],
)
def test_processing_failure_or_rejection_is_said_plainly(
    send_app, yt_sandbox, yt_channel, outcome, reason, words
):
    key = "failure_reason" if outcome == "failed" else "rejection_reason"
    yt_sandbox.youtube.configure(processing_outcome=outcome, **{key: reason})
    delivery = drive(send_app, youtube_post(send_app, yt_channel))
    assert delivery.status == DeliveryStatus.FAILED and delivery.fail_reason == reason
    assert delivery.fail_message.startswith(words)
    assert delivery.remote_id == videos(yt_sandbox)[0]["id"]  # the id is kept all the same


def test_expired_refresh_token_needs_a_reconnect_said_plainly(send_app, yt_sandbox, yt_channel):
    # The consent screen is in Testing: 8 days later Google refuses the refresh token.
    yt_sandbox.youtube.configure(testing_mode=True)
    yt_sandbox.youtube.advance(8 * DAY)
    delivery = drive(send_app, youtube_post(send_app, yt_channel))
    assert delivery.status == DeliveryStatus.FAILED and delivery.fail_reason == "reconnect_needed"
    assert "Testing mode" in delivery.fail_message and "7 days" in delivery.fail_message
    assert "Reconnect the channel on the YouTube page" in delivery.fail_message
    assert not delivery.retryable and videos(yt_sandbox) == []


def test_session_uri_is_never_shown_logged_audited_or_stored_in_plaintext(
    send_app, yt_sandbox, yt_admin, yt_channel, caplog
):
    caplog.set_level(logging.DEBUG)
    send_app.config["POSTS_INLINE_WAIT_MAX"] = 0.0
    yt_sandbox.youtube.fault_rules.append(
        {"endpoint": "/google/upload/", "kind": "drop_mid", "count": 1, "skip": 2, "seconds": None}
    )
    post_id = youtube_post(send_app, yt_channel)
    run_once(send_app, post_id)
    mid = stored_text(send_app)  # the session is stored (wrapped) while the upload runs
    page_mid = yt_admin.get(f"/posts/{post_id}").get_data(as_text=True)
    status_mid = yt_admin.get(f"/posts/{post_id}/status.json").get_data(as_text=True)
    assert drive(send_app, post_id).status == DeliveryStatus.PUBLISHED
    audit = yt_admin.get("/audit/").get_data(as_text=True)
    [upload_id] = session_secrets(yt_sandbox)
    for text in (mid, stored_text(send_app), page_mid, status_mid, audit, caplog.text):
        assert upload_id not in text


def test_account_page_shows_what_the_project_spent_today(send_app, yt_admin, yt_channel):
    assert drive(send_app, youtube_post(send_app, yt_channel)).status == DeliveryStatus.PUBLISHED
    html = yt_admin.get("/youtube/").get_data(as_text=True)
    spent = _quota(send_app)
    assert spent["uploads"] == (1, False) and spent["units"][0] >= 2  # channels.list + polls
    assert '<tr data-quota="uploads"><td>Video uploads</td><td>1</td><td>100</td></tr>' in html
    assert f"<td>{spent['units'][0]}</td><td>10000</td>" in html
    assert "midnight Pacific time" in html


def test_retry_after_a_failed_upload_sends_the_video_again(
    send_app, yt_sandbox, yt_admin, yt_channel
):
    yt_sandbox.youtube.configure(processing_outcome="failed", failure_reason="uploadAborted")
    post_id = youtube_post(send_app, yt_channel)
    failed = drive(send_app, post_id)
    assert failed.status == DeliveryStatus.FAILED and failed.retryable
    yt_sandbox.youtube.configure(processing_outcome="processed", reject_duplicates=False)
    token = csrf_token(yt_admin, f"/posts/{post_id}")
    answer = yt_admin.post(
        f"/posts/{post_id}/deliveries/{failed.id}/retry", data={"csrf_token": token}
    )
    assert answer.status_code in (302, 303)
    delivery = drive(send_app, post_id)
    assert delivery.status == DeliveryStatus.PUBLISHED and delivery.remote_id != failed.remote_id
    assert len(videos(yt_sandbox)) == 2 and counters(yt_sandbox)["sessions_started"] == 2


def test_random_faults_still_publish_each_post_once(send_app, yt_sandbox, yt_channel):
    kinds = ["500", "503", "429", "drop", "drop_after", "drop_mid"]
    ids = [youtube_post(send_app, yt_channel) for _ in range(3)]
    yt_sandbox.youtube.configure(fault_rate=0.3, fault_kinds=kinds, seed=11)
    done = [drive(send_app, post_id, timeout=60) for post_id in ids]
    yt_sandbox.youtube.configure(fault_rate=0.0)
    assert [d.status for d in done] == [DeliveryStatus.PUBLISHED] * 3
    by_id = {v["id"]: v for v in videos(yt_sandbox)}
    assert sorted(by_id) == sorted(d.remote_id for d in done)  # one video per post, no more
    for delivery in done:
        assert by_id[delivery.remote_id]["sha256"] == file_sha256(send_app, delivery.post_id)
    assert counters(yt_sandbox)["faults_injected"] > 0


def test_rejected_access_token_is_refreshed_once(send_app, yt_sandbox, yt_channel):
    yt_sandbox.youtube.fault_rules.append(
        {"endpoint": "/google/upload/", "kind": "401", "count": 1, "skip": 0, "seconds": None}
    )
    delivery = drive(send_app, youtube_post(send_app, yt_channel))
    assert delivery.status == DeliveryStatus.PUBLISHED
    assert counters(yt_sandbox)["refreshes"] == 1 and len(videos(yt_sandbox)) == 1
