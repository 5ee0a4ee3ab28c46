"""The admins' queue: access, deadlines, reject with a reason, extend once, run."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from studio import db
from studio.privacy import services
from studio.privacy.models import DeletionRequest, RequestStatus
from tests.helpers import csrf_token
from tests.privacy.conftest import file_request


def _request(app) -> DeletionRequest:
    with app.app_context():
        return db.session.scalar(select(DeletionRequest))


def _shift(app, days: int) -> None:
    """Pretend the request arrived ``days`` ago."""
    with app.app_context():
        req = db.session.scalar(select(DeletionRequest))
        req.received_at -= dt.timedelta(days=days)
        req.due_at = services.add_months(req.received_at, 1)
        db.session.commit()


def test_queue_is_admin_only(app, client, staff_client):
    assert app.test_client().get("/privacy/requests").status_code == 302
    assert staff_client.get("/privacy/requests").status_code == 403


def test_queue_flags_overdue_and_near_due(app, admin_client):
    file_request(app.test_client())
    _shift(app, 40)
    page = admin_client.get("/privacy/requests").get_data(as_text=True)
    assert 'class="overdue"' in page and "overdue" in page
    _shift(app, -15)  # now received 25 days ago: due within a week
    page = admin_client.get("/privacy/requests").get_data(as_text=True)
    assert 'class="due-soon"' in page


def test_dashboard_panel_mentions_open_requests(app, admin_client):
    file_request(app.test_client())
    page = admin_client.get("/dashboard/").get_data(as_text=True)
    assert "Deletion requests" in page and "1 open deletion request" in page


def test_reject_needs_a_reason_and_shows_it_publicly(app, admin_client):
    public = app.test_client()
    code, _ = file_request(public)
    req = _request(app)
    url = f"/privacy/requests/{req.id}"
    token = csrf_token(admin_client, url)
    admin_client.post(f"{url}/reject", data={"csrf_token": token, "reject-reason": ""})
    assert _request(app).status == RequestStatus.RECEIVED
    admin_client.post(
        f"{url}/reject", data={"csrf_token": token, "reject-reason": "Duplicate of an earlier one."}
    )
    req = _request(app)
    assert req.status == RequestStatus.REJECTED and req.data_key is None
    page = public.get(f"/data-deletion/status/{code}").get_data(as_text=True)
    assert "rejected" in page and "Duplicate of an earlier one." in page


def test_extend_once_with_reason_within_the_first_month(app, admin_client):
    public = app.test_client()
    code, _ = file_request(public)
    req = _request(app)
    due = req.due_at
    url = f"/privacy/requests/{req.id}"
    token = csrf_token(admin_client, url)
    data = {"csrf_token": token, "extend-months": "2", "extend-reason": "Many backups to check."}
    admin_client.post(f"{url}/extend", data=data)
    req = _request(app)
    assert req.extended_at is not None and req.due_at == services.add_months(due, 2)
    page = public.get(f"/data-deletion/status/{code}").get_data(as_text=True)
    assert "Deadline extended" in page and "Many backups to check." in page
    response = admin_client.post(f"{url}/extend", data=data, follow_redirects=True)
    assert "already been extended once" in response.get_data(as_text=True)
    assert _request(app).due_at == req.due_at


def test_extension_after_the_first_month_is_refused(app, admin_client):
    file_request(app.test_client())
    _shift(app, 35)
    req = _request(app)
    url = f"/privacy/requests/{req.id}"
    data = {"csrf_token": csrf_token(admin_client, url), "extend-months": "1", "extend-reason": "x"}
    response = admin_client.post(f"{url}/extend", data=data, follow_redirects=True)
    assert "within one month of receipt" in response.get_data(as_text=True)


def test_unverified_requests_cannot_be_run(app, admin_client):
    file_request(app.test_client())
    req = _request(app)
    url = f"/privacy/requests/{req.id}"
    response = admin_client.post(
        f"{url}/approve", data={"csrf_token": csrf_token(admin_client, url)}, follow_redirects=True
    )
    assert "Only verified requests" in response.get_data(as_text=True)
    assert _request(app).status == RequestStatus.RECEIVED


@pytest.mark.parametrize(
    ("when", "months", "expected"),
    [
        (dt.datetime(2026, 1, 31, tzinfo=dt.UTC), 1, dt.datetime(2026, 2, 28, tzinfo=dt.UTC)),
        (dt.datetime(2026, 11, 22, tzinfo=dt.UTC), 1, dt.datetime(2026, 12, 22, tzinfo=dt.UTC)),
        (dt.datetime(2026, 12, 15, tzinfo=dt.UTC), 2, dt.datetime(2027, 2, 15, tzinfo=dt.UTC)),
        (dt.datetime(2028, 1, 30, tzinfo=dt.UTC), 1, dt.datetime(2028, 2, 29, tzinfo=dt.UTC)),
    ],
)
def test_one_calendar_month(when, months, expected):
    assert services.add_months(when, months) == expected


def test_extension_notice_is_emailed_to_email_requesters(app, client, admin_client):
    from pathlib import Path

    token = csrf_token(client, "/data-deletion")
    client.post(
        "/data-deletion", data={"csrf_token": token, "kind": "email", "email": "a@example.org"}
    )
    req = _request(app)
    url = f"/privacy/requests/{req.id}"
    data = {
        "csrf_token": csrf_token(admin_client, url),
        "extend-months": "1",
        "extend-reason": "Our backup restore test is scheduled next week.",
    }
    admin_client.post(f"{url}/extend", data=data)
    mails = sorted(Path(app.instance_path, "outbox").glob("*.eml"))
    assert len(mails) == 2
    notice = mails[-1].read_text()
    assert "deadline extended" in notice and "backup restore test" in notice


def test_closed_request_shows_no_empty_actions_card(app, sandbox_client):
    from studio import db
    from studio.audit import Actor
    from studio.privacy import services
    from studio.privacy.models import RequestStatus

    with app.app_context():
        req, _ = services.open_request(
            db.session,
            kind="tiktok",
            source="form",
            subject={"name": "x"},
            identifier="x",
            actor=Actor.public(),
        )
        req.status, req.completed_at = RequestStatus.COMPLETED, db.utcnow()
        db.session.commit()
        request_id = req.id
    html = sandbox_client.get(f"/privacy/requests/{request_id}").get_data(as_text=True)
    assert "<h2>Actions</h2>" not in html
    assert "Nothing left to do" in html and "This request was completed on" in html
