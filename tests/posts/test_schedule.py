"""Scheduling: a chosen time in the person's zone, DST, limits refused at scheduling time,
the sweeper starting due deliveries (late ones say so), reschedule and cancel."""

from __future__ import annotations

import datetime as dt

from studio import db
from studio.db import utcnow
from studio.platforms.models import Delivery, DeliveryStatus, Mode
from studio.posts import planning, tasks
from studio.posts.models import Post
from tests.helpers import extract_csrf
from tests.posts.conftest import drive
from tests.posts.workflow import (
    fresh,
    kinds,
    last_post,
    local,
    make_due,
    schedule,
    set_zone,
    wakes,
)


def _tomorrow_noon() -> dt.datetime:
    return (utcnow() + dt.timedelta(days=1)).replace(hour=12, minute=0, second=0, microsecond=0)


def test_a_scheduled_post_waits_then_the_sweeper_starts_it(
    app, sandbox, sandbox_client, account, video
):
    at = _tomorrow_noon()
    response, _ = schedule(sandbox_client, video, account, local(at))
    assert response.status_code == 302, response.get_data(as_text=True)
    post = last_post(app)
    delivery = fresh(app, post.id)
    assert delivery.status == DeliveryStatus.QUEUED
    assert delivery.scheduled_at == at and delivery.started_at is None
    with app.app_context():
        assert tasks.sweep() == 0  # not due yet
    assert sandbox.state.summary()["counters"].get("inits", 0) == 0
    page = sandbox_client.get(f"/posts/{post.id}").get_data(as_text=True)
    assert f'scheduled for <span data-field="scheduled_at">{at:%Y-%m-%d %H:%M} UTC' in page
    assert '<span class="status status-queued">Scheduled</span>' in page
    assert f"({at:%Y-%m-%d %H:%M} UTC)" in page  # "Starts in … (time)"
    make_due(app, post.id)
    with app.app_context():
        assert tasks.sweep() == 1
    delivery = drive(app, post.id)
    assert delivery.status == DeliveryStatus.IN_INBOX
    assert delivery.started_at is not None
    assert "post:scheduled" in kinds(app, post.id)
    assert "post:late" not in kinds(app, post.id)
    assert "min late" not in sandbox_client.get(f"/posts/{post.id}").get_data(as_text=True)


def test_a_delivery_due_while_no_worker_ran_goes_out_and_says_it_was_late(
    app, sandbox, sandbox_client, account, video
):
    schedule(sandbox_client, video, account, local(_tomorrow_noon()))
    post = last_post(app)
    make_due(app, post.id, dt.timedelta(minutes=47))  # workers were down meanwhile
    with app.app_context():
        tasks.sweep()
    assert drive(app, post.id).status == DeliveryStatus.IN_INBOX
    assert "post:late" in kinds(app, post.id)
    page = sandbox_client.get(f"/posts/{post.id}").get_data(as_text=True)
    assert "started 47 min late" in page


def test_a_time_in_the_daylight_saving_gap_is_refused_and_nothing_is_stored(
    app, sandbox, sandbox_client, account, video
):
    set_zone(app, "admin@example.com", "Europe/Berlin")
    year = utcnow().year + 1
    gap = f"{year}-03-{_last_sunday(year, 3):02d}T02:30"
    response, _ = schedule(sandbox_client, video, account, gap)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "does not exist in Europe/Berlin" in html
    assert last_post(app) is None


def test_a_time_that_happens_twice_asks_which_and_stores_the_choice(
    app, sandbox, sandbox_client, account, video
):
    set_zone(app, "admin@example.com", "Europe/Berlin")
    year = utcnow().year + 1
    day = _last_sunday(year, 10)
    twice = f"{year}-10-{day:02d}T02:30"
    response, _ = schedule(sandbox_client, video, account, twice)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "happens twice in Europe/Berlin" in html
    assert "CEST (UTC+2)" in html and "CET (UTC+1)" in html
    assert last_post(app) is None
    response, _ = schedule(sandbox_client, video, account, twice, pick="later")
    assert response.status_code == 302
    delivery = fresh(app, last_post(app).id)
    assert delivery.scheduled_at == dt.datetime(year, 10, day, 1, 30, tzinfo=dt.UTC)
    page = sandbox_client.get(f"/posts/{delivery.post_id}").get_data(as_text=True)
    assert f"{year}-10-{day:02d} 02:30 CET" in page  # shown in the person's zone


def _last_sunday(year: int, month: int) -> int:
    last = dt.date(year, month + 1, 1) - dt.timedelta(days=1)
    return (last - dt.timedelta(days=(last.weekday() + 1) % 7)).day


def test_a_past_time_is_refused(app, sandbox, sandbox_client, account, video):
    response, _ = schedule(sandbox_client, video, account, local(utcnow() - dt.timedelta(hours=1)))
    assert response.status_code == 400
    assert "Choose a time in the future" in response.get_data(as_text=True)
    assert last_post(app) is None


def test_a_schedule_over_the_draft_limit_is_refused_with_the_reason(
    app, sandbox, sandbox_client, account, video
):
    base = _tomorrow_noon()
    for n in range(5):
        response, _ = schedule(sandbox_client, video, account, local(base + dt.timedelta(hours=n)))
        assert response.status_code == 302
    response, _ = schedule(sandbox_client, video, account, local(base + dt.timedelta(hours=20)))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "TikTok allows 5 pending drafts per 24 h for one account" in html
    assert "5 are already sent or planned" in html
    with app.app_context():
        assert db.session.query(Post).count() == 5
    # A day after the last planned one there is room again.
    response, _ = schedule(sandbox_client, video, account, local(base + dt.timedelta(hours=29)))
    assert response.status_code == 302


def test_the_direct_post_cap_is_refused_at_scheduling_time(app, sandbox, account, video):
    app.config["POSTS_DIRECT_DAILY_LIMIT"] = 2
    base = _tomorrow_noon()
    with app.app_context():
        user = None
        for n in range(2):
            post_id = _planned(app, video, account, base + dt.timedelta(hours=n), Mode.DIRECT)
            assert post_id
        try:
            planning.check_limits(db.session, user, account.id, Mode.DIRECT, base, None)
        except planning.PlanError as exc:
            assert "about 2 posts through apps per 24 h" in exc.message
        else:
            raise AssertionError("the third direct post was not refused")


def _planned(app, video, account, at, mode):
    with app.app_context():
        post = Post(idempotency_key=f"k{at.timestamp()}", video_id=video.id, caption="x")
        post.deliveries = [Delivery(account_id=account.id, mode=mode, scheduled_at=at)]
        db.session.add(post)
        db.session.commit()
        return post.id


def test_reschedule_and_cancel_until_sending_starts(app, sandbox, sandbox_client, account, video):
    schedule(sandbox_client, video, account, local(_tomorrow_noon()))
    post = last_post(app)
    delivery = fresh(app, post.id)
    url = f"/posts/{post.id}/deliveries/{delivery.id}"
    form = sandbox_client.get(url + "/reschedule")
    assert form.status_code == 200
    later = _tomorrow_noon() + dt.timedelta(hours=3)
    token = extract_csrf(form.get_data(as_text=True))
    moved = sandbox_client.post(
        url + "/reschedule", data={"csrf_token": token, "send_at": local(later)}
    )
    assert moved.status_code == 302
    assert fresh(app, post.id).scheduled_at == later
    bad = sandbox_client.post(
        url + "/reschedule", data={"csrf_token": token, "send_at": "2001-01-01T10:00"}
    )
    assert bad.status_code == 400 and fresh(app, post.id).scheduled_at == later
    assert sandbox_client.post(url + "/cancel", data={"csrf_token": token}).status_code == 302
    delivery = fresh(app, post.id)
    assert delivery.status == DeliveryStatus.CANCELLED and delivery.is_terminal
    with app.app_context():
        assert tasks.sweep() == 0
    assert sandbox.state.summary()["counters"].get("inits", 0) == 0
    assert {"post:rescheduled", "post:cancelled"} <= set(kinds(app, post.id))


def test_once_started_it_can_no_longer_be_moved(app, sandbox, sandbox_client, account, video):
    schedule(sandbox_client, video, account, local(_tomorrow_noon()))
    post = last_post(app)
    make_due(app, post.id)
    with app.app_context():
        tasks.sweep()
    drive(app, post.id)
    delivery = fresh(app, post.id)
    url = f"/posts/{post.id}/deliveries/{delivery.id}"
    page = sandbox_client.get(url + "/reschedule").get_data(as_text=True)
    assert "can no longer be moved" in page
    token = extract_csrf(page)
    response = sandbox_client.post(url + "/cancel", data={"csrf_token": token})
    assert response.status_code == 302
    assert fresh(app, post.id).status == DeliveryStatus.IN_INBOX


def test_a_schedule_wakes_the_sweeper_at_its_time_and_a_move_at_the_new_one(
    app, sandbox, sandbox_client, account, video
):
    """The minute sweep is only the backstop: the queue runs a sweep at the delivery's own
    time, so it starts within seconds of it; a move sets a timer for the new time."""
    at = _tomorrow_noon() + dt.timedelta(minutes=7)
    schedule(sandbox_client, video, account, local(at))
    post = last_post(app)
    delivery = fresh(app, post.id)
    assert wakes(at) == 1
    later = at + dt.timedelta(hours=2)
    url = f"/posts/{post.id}/deliveries/{delivery.id}/reschedule"
    token = extract_csrf(sandbox_client.get(url).get_data(as_text=True))
    assert (
        sandbox_client.post(url, data={"csrf_token": token, "send_at": local(later)}).status_code
        == 302
    )
    assert wakes(later) == 1
    # The old timer may still fire: its sweep finds nothing due and starts nothing.
    with app.app_context():
        assert tasks.sweep() == 0
    assert fresh(app, post.id).started_at is None
