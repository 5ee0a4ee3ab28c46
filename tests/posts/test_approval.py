"""Approval: nothing sends before approval, approvers see the preview, send back with a reason,
an edit after approval needs approval again; every step in the audit log."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from studio.db import utcnow
from studio.platforms.models import DeliveryStatus
from studio.posts import tasks
from studio.posts.models import Approval
from tests.helpers import extract_csrf
from tests.posts.conftest import drive, send
from tests.posts.workflow import fresh, kinds, last_post, local, make_due, schedule, staff, wakes

_DIGEST = re.compile(r'name="digest" type="hidden" value="([0-9a-f]{64})"')


@pytest.fixture
def app(app):
    app.config["APPROVAL_REQUIRED"] = True
    return app


def _approve(client, post_id: int):
    page = client.get(f"/posts/{post_id}/review").get_data(as_text=True)
    digest = _DIGEST.search(page).group(1)
    data = {"csrf_token": extract_csrf(page), "digest": digest}
    return client.post(f"/posts/{post_id}/approve", data=data)


def test_a_post_waits_for_an_admin_then_goes_out(app, sandbox, sandbox_client, account, video):
    author = staff(app)
    response, _ = send(author, video.id, account.id, caption="Waiting kettle")
    assert response.status_code == 302
    post = last_post(app)
    assert post.approval == Approval.PENDING
    assert fresh(app, post.id).status == DeliveryStatus.AWAITING_APPROVAL
    with app.app_context():
        assert tasks.sweep() == 0
    assert sandbox.state.summary()["counters"].get("inits", 0) == 0
    # The author cannot approve their own post.
    own = author.get(f"/posts/{post.id}/review").get_data(as_text=True)
    assert "data-approve" not in own
    page = author.get(f"/posts/{post.id}").get_data(as_text=True)
    csrf = extract_csrf(page)
    forged = {"csrf_token": csrf, "digest": "0" * 64}
    refused = author.post(f"/posts/{post.id}/approve", data=forged)
    assert refused.status_code == 302
    assert last_post(app).approval == Approval.PENDING
    # The admin sees exactly what goes out, then approves it.
    review = sandbox_client.get(f"/posts/{post.id}/review").get_data(as_text=True)
    assert "Waiting kettle" in review and "#kitchen #Kettle" in review
    assert _approve(sandbox_client, post.id).status_code == 302
    delivery = drive(app, post.id)
    assert delivery.status == DeliveryStatus.IN_INBOX
    assert last_post(app).approval == Approval.APPROVED
    assert {"post:approval_requested", "post:approved"} <= set(kinds(app, post.id))


def test_sent_back_with_a_reason_the_author_reads(app, sandbox, sandbox_client, account, video):
    author = staff(app)
    send(author, video.id, account.id)
    post = last_post(app)
    review = sandbox_client.get(f"/posts/{post.id}/review").get_data(as_text=True)
    data = {"csrf_token": extract_csrf(review), "reason": "Name the kettle's colour."}
    assert sandbox_client.post(f"/posts/{post.id}/send-back", data=data).status_code == 302
    assert last_post(app).approval == Approval.RETURNED
    page = author.get(f"/posts/{post.id}").get_data(as_text=True)
    assert "Name the kettle&#39;s colour." in page
    empty = {"csrf_token": extract_csrf(review), "reason": "  "}
    sandbox_client.post(f"/posts/{post.id}/send-back", data=empty)
    assert "post:returned" in kinds(app, post.id)
    assert fresh(app, post.id).status == DeliveryStatus.AWAITING_APPROVAL


def test_an_edit_after_approval_needs_approval_again(app, sandbox, sandbox_client, account, video):
    author = staff(app)
    at = (utcnow() + dt.timedelta(days=1)).replace(second=0, microsecond=0)
    schedule(author, video, account, local(at))
    post = last_post(app)
    old_review = sandbox_client.get(f"/posts/{post.id}/review").get_data(as_text=True)
    assert _approve(sandbox_client, post.id).status_code == 302
    assert fresh(app, post.id).status == DeliveryStatus.QUEUED
    page = author.get(f"/posts/{post.id}").get_data(as_text=True)
    data = {"csrf_token": extract_csrf(page), "caption": "Changed after approval", "hashtags": ""}
    assert author.post(f"/posts/{post.id}/edit", data=data).status_code == 302
    post = last_post(app)
    assert post.approval == Approval.PENDING and post.caption == "Changed after approval"
    assert fresh(app, post.id).status == DeliveryStatus.AWAITING_APPROVAL
    make_due(app, post.id)
    with app.app_context():
        assert tasks.sweep() == 0  # the time came, but the edit is not approved
    # Approving what the approver saw before the edit is refused.
    stale = {"csrf_token": extract_csrf(old_review), "digest": _DIGEST.search(old_review).group(1)}
    sandbox_client.post(f"/posts/{post.id}/approve", data=stale)
    assert last_post(app).approval == Approval.PENDING
    assert _approve(sandbox_client, post.id).status_code == 302
    assert drive(app, post.id).status == DeliveryStatus.IN_INBOX
    assert kinds(app, post.id).count("post:approved") == 2
    assert "post:edited" in kinds(app, post.id)


def test_peers_may_approve_when_the_setting_allows(app, sandbox, sandbox_client, account, video):
    app.config["APPROVAL_BY_PEERS"] = True
    send(sandbox_client, video.id, account.id)  # by the admin
    post = last_post(app)
    assert _approve(staff(app), post.id).status_code == 302
    assert last_post(app).approval == Approval.APPROVED


def test_without_the_peer_setting_staff_cannot_approve(
    app, sandbox, sandbox_client, account, video
):
    send(sandbox_client, video.id, account.id)  # by the admin
    post = last_post(app)
    assert "data-approve" not in staff(app).get(f"/posts/{post.id}/review").get_data(as_text=True)


def test_a_scheduled_post_gets_its_timer_only_once_approved(
    app, sandbox, sandbox_client, account, video
):
    """While it waits for approval nothing may start it; approval sets the timer that starts
    it at its time (the minute sweep being the backstop)."""
    at = (utcnow() + dt.timedelta(days=2)).replace(hour=9, minute=13, second=0, microsecond=0)
    response, _ = schedule(staff(app), video, account, local(at))
    assert response.status_code == 302
    post = last_post(app)
    assert wakes(at) == 0
    # The author moves it while it waits: still no timer, for either time.
    author, later = staff(app), at + dt.timedelta(hours=1)
    url = f"/posts/{post.id}/deliveries/{fresh(app, post.id).id}/reschedule"
    token = extract_csrf(author.get(url).get_data(as_text=True))
    moved = author.post(url, data={"csrf_token": token, "send_at": local(later)})
    assert moved.status_code == 302, moved.get_data(as_text=True)
    assert fresh(app, post.id).scheduled_at == later
    assert (wakes(at), wakes(later)) == (0, 0)
    assert _approve(sandbox_client, post.id).status_code == 302
    assert fresh(app, post.id).status == DeliveryStatus.QUEUED
    assert (wakes(at), wakes(later)) == (0, 1)
