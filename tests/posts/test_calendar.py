"""Queue and calendar: planned, sending, sent and failed deliveries per account, local times."""

from __future__ import annotations

import datetime as dt

from studio import db
from studio.db import utcnow
from studio.platforms.models import DeliveryStatus
from studio.posts import tasks
from tests.posts.conftest import drive
from tests.posts.workflow import fresh, make_due, make_scheduled, set_zone


def _at(days: int, hour: int) -> dt.datetime:
    day = utcnow() + dt.timedelta(days=days)
    return day.replace(hour=hour, minute=15, second=0, microsecond=0)


def test_queue_lists_planned_and_finished_deliveries(app, sandbox, sandbox_client, account, video):
    planned = make_scheduled(app, video, account, _at(2, 9))
    sent = make_scheduled(app, video, account, _at(1, 9))
    make_due(app, sent)
    with app.app_context():
        tasks.sweep()
    drive(app, sent)
    page = sandbox_client.get("/posts/queue").get_data(as_text=True)
    assert f'href="/posts/{planned}"' in page and "entry-planned" in page
    assert f'href="/posts/{sent}"' in page and "entry-sent" in page
    other = sandbox_client.get(f"/posts/queue?account={account.id + 99}").get_data(as_text=True)
    assert f'href="/posts/{planned}"' not in other


def test_week_and_month_show_deliveries_on_their_local_day(
    app, sandbox, sandbox_client, account, video
):
    # 23:15 UTC is the next morning in Tokyo: the calendar puts it on the local day.
    at = _at(3, 23)
    post_id = make_scheduled(app, video, account, at)
    set_zone(app, "admin@example.com", "Asia/Tokyo")
    local_day = (at + dt.timedelta(hours=9)).date()
    week = sandbox_client.get(f"/posts/calendar?view=week&date={local_day.isoformat()}")
    html = week.get_data(as_text=True)
    assert week.status_code == 200
    day_label = local_day.strftime("%a %d %b")
    cell = html.split(day_label, 1)[1].split("calendar-day", 1)[0]
    assert f'href="/posts/{post_id}"' in cell and "08:15" in cell
    month = sandbox_client.get(f"/posts/calendar?view=month&date={local_day.isoformat()}")
    assert f'href="/posts/{post_id}"' in month.get_data(as_text=True)
    assert "Times in Asia/Tokyo" in month.get_data(as_text=True)
    far = sandbox_client.get("/posts/calendar?view=week&date=2001-01-01").get_data(as_text=True)
    assert f'href="/posts/{post_id}"' not in far


def test_a_bad_date_shows_this_week(app, sandbox_client):
    assert sandbox_client.get("/posts/calendar?date=not-a-date").status_code == 200


def test_failed_deliveries_show_as_failed(app, sandbox, sandbox_client, account, video):
    post_id = make_scheduled(app, video, account, _at(1, 10))
    with app.app_context():
        delivery = fresh(app, post_id)
        delivery = db.session.merge(delivery)
        delivery.status = DeliveryStatus.FAILED
        db.session.commit()
    page = sandbox_client.get("/posts/queue").get_data(as_text=True)
    assert "entry-failed" in page
