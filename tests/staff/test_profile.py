"""Each staff member's profile: time zone and e-mail preferences, stored and audited."""

from __future__ import annotations

from sqlalchemy import select

from studio import db
from studio.audit.models import AuditEntry
from studio.auth.models import User
from tests.helpers import csrf_token


def _me(app):
    with app.app_context():
        return db.session.scalar(select(User).where(User.email == "staff@example.com"))


def test_a_person_chooses_a_zone_and_turns_an_email_off(app, staff_client):
    page = staff_client.get("/staff/profile")
    assert page.status_code == 200
    assert "The company&#39;s (UTC)" in page.get_data(as_text=True)
    data = {
        "csrf_token": csrf_token(staff_client, "/staff/profile"),
        "time_zone": "Europe/Berlin",
        "landed": "y",
        "needs_person": "y",
        "approval": "y",
    }
    response = staff_client.post("/staff/profile", data=data)
    assert response.status_code == 302
    me = _me(app)
    assert me.time_zone == "Europe/Berlin"
    assert me.notify_off == ["failed", "reconnect"]
    with app.app_context():
        kinds = db.session.scalars(select(AuditEntry.kind)).all()
    assert "user:preferences" in kinds
    assert "Europe/Berlin" in staff_client.get("/staff/profile").get_data(as_text=True)


def test_an_unknown_zone_is_refused_and_nothing_is_stored(app, staff_client):
    data = {"csrf_token": csrf_token(staff_client, "/staff/profile"), "time_zone": "Mars/Base"}
    response = staff_client.post("/staff/profile", data=data)
    assert response.status_code == 400
    assert "Choose a time zone from the list." in response.get_data(as_text=True)
    assert _me(app).time_zone is None
    assert _me(app).notify_off == []
