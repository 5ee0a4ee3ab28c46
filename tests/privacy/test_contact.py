"""The contact form: stored with a declared retention, delivered to the operator, protected."""

from __future__ import annotations

import datetime as dt
import email
from pathlib import Path

from sqlalchemy import func, select

from studio import db
from studio.privacy import tasks
from studio.privacy.models import ContactMessage
from tests.helpers import csrf_token

FORM = {"name": "Jo Public", "email": "Jo@Example.org", "message": "What do you keep?"}


def _send(client, **fields: str):
    data = {**FORM, **fields, "csrf_token": csrf_token(client, "/contact")}
    return client.post("/contact", data=data)


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(ContactMessage.id)))


def _outbox(app) -> list[email.message.Message]:
    folder = Path(app.instance_path, "outbox")
    return [email.message_from_bytes(p.read_bytes()) for p in sorted(folder.glob("*.eml"))]


def test_message_is_stored_and_delivered_to_the_operator(app, client):
    response = _send(client)
    assert response.status_code == 303 and response.headers["Location"].endswith("/contact/sent")
    assert "Thank you" in client.get("/contact/sent").get_data(as_text=True)
    with app.app_context():
        row = db.session.scalar(select(ContactMessage))
        assert (row.name, row.email, row.message) == (
            "Jo Public",
            "jo@example.org",
            FORM["message"],
        )
        assert row.delivered_at is not None
    [mail] = _outbox(app)
    assert mail["To"] == app.config["OPERATOR_EMAIL"]
    body = mail.get_payload(decode=True).decode()
    assert "jo@example.org" in body and FORM["message"] in body


def test_form_needs_csrf_and_every_field(app, client):
    assert client.post("/contact", data=FORM).status_code == 400
    response = _send(client, email="not-an-address", message="")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Enter a valid e-mail address." in page
    assert _count(app) == 0 and not Path(app.instance_path, "outbox").exists()


def test_honeypot_answers_the_same_and_stores_nothing(app, client):
    response = _send(client, website="http://spam.example")
    assert response.status_code == 303
    assert _count(app) == 0 and not Path(app.instance_path, "outbox").exists()


def test_form_is_rate_limited(make_app):
    client = make_app(PUBLIC_FORM_RATE_LIMIT="2 per minute").test_client()
    codes = [_send(client).status_code for _ in range(3)]
    assert codes == [303, 303, 429]


def test_messages_are_purged_after_their_retention(app, client, runner):
    _send(client)
    runner.invoke(args=["purge"])
    assert _count(app) == 1  # not yet past its retention
    with app.app_context():
        row = db.session.scalar(select(ContactMessage))
        row.received_at -= dt.timedelta(days=app.config["CONTACT_RETENTION_DAYS"] + 1)
        db.session.commit()
    result = runner.invoke(args=["purge"])
    assert "Deleted 1 contact-form messages" in result.output, result.output
    assert _count(app) == 0


def test_policy_and_footer_link_the_form(client):
    assert 'href="/contact"' in client.get("/privacy").get_data(as_text=True)
    assert 'href="/contact"' in client.get("/").get_data(as_text=True)


def test_mail_goes_through_the_configured_smtp_server(make_app, smtp_server):
    host, port = smtp_server.server_address
    app = make_app(SMTP_HOST=host, SMTP_PORT=port, SMTP_STARTTLS=False)
    client = app.test_client()
    assert _send(client).status_code == 303
    [raw] = smtp_server.messages  # type: ignore[attr-defined]
    assert b"jo@example.org" in raw
    assert not Path(app.instance_path, "outbox").exists()
    page = client.get("/privacy").get_data(as_text=True)
    assert f"Our e-mail provider ({host})" in page


def test_message_is_kept_when_the_mail_server_is_down_and_sent_once_it_is_back(
    make_app, smtp_server, caplog
):
    """Tried: a refused connection at the form, a retry while it is still down, a retry within
    the first minutes (the form's own attempt may still run), two retries once it is back."""
    app = make_app(SMTP_HOST="127.0.0.1", SMTP_PORT=9, SMTP_STARTTLS=False)
    client = app.test_client()
    assert _send(client).status_code == 303
    assert _send(client, message="A second question").status_code == 303
    with app.app_context():
        first = db.session.scalars(select(ContactMessage).order_by(ContactMessage.id)).first()
        assert first.message == FORM["message"] and first.delivered_at is None
    assert "not delivered" in caplog.text and "jo@example.org" not in caplog.text
    with app.app_context():
        assert tasks.redeliver_contact.call_local() == 0  # both too new to be retried yet
        for row in db.session.scalars(select(ContactMessage)):
            row.received_at -= dt.timedelta(minutes=6)
        db.session.commit()
        assert tasks.redeliver_contact.call_local() == 0  # still down: kept, stops at the first
        assert (
            db.session.scalar(select(func.count()).where(ContactMessage.delivered_at.is_(None)))
            == 2
        )
        app.config["SMTP_HOST"], app.config["SMTP_PORT"] = smtp_server.server_address
        assert tasks.redeliver_contact.call_local() == 2
        assert tasks.redeliver_contact.call_local() == 0  # each went out once
        assert (
            db.session.scalar(select(func.count()).where(ContactMessage.delivered_at.is_(None)))
            == 0
        )
    first_mail, second_mail = smtp_server.messages  # type: ignore[attr-defined]
    assert FORM["message"].encode() in first_mail and b"A second question" in second_mail
