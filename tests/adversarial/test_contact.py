"""The public contact form: mail header injection, oversized and hostile input."""

from __future__ import annotations

import email
from pathlib import Path

import pytest
from sqlalchemy import func, select

from studio import db
from studio.privacy.models import ContactMessage
from tests.helpers import csrf_token

LOOSE = {"PUBLIC_FORM_RATE_LIMIT": "1000 per minute"}


def _post(client, **fields: str):
    data = {"name": "A", "email": "a@example.org", "message": "Hi", **fields}
    data["csrf_token"] = csrf_token(client, "/contact")
    return client.post("/contact", data=data)


def test_header_injection_reaches_only_the_operator(make_sandbox_app):
    app = make_sandbox_app(**LOOSE)
    client = app.test_client()
    evil = "Eve\r\nBcc: victim@example.net\r\nSubject: hijacked"
    assert (
        _post(client, name=evil, message="x\r\n.\r\nRCPT TO:<victim@example.net>").status_code
        == 303
    )
    [path] = Path(app.instance_path, "outbox").glob("*.eml")
    mail = email.message_from_bytes(path.read_bytes())
    assert mail["To"] == app.config["OPERATOR_EMAIL"] and mail["Bcc"] is None
    assert mail["Subject"].startswith("Privacy question #")
    assert "victim@example.net" not in (mail["To"] + str(mail.get_all("Cc")))


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"email": "a@example.org\r\nBcc: victim@example.net"}, "valid e-mail"),
        ({"email": "not-an-address"}, "valid e-mail"),
        ({"message": "x" * 5001}, "5000 characters"),
        ({"name": "n" * 256}, "255 characters"),
        ({"name": "   ", "message": "   "}, "This field is required."),
    ],
)
def test_bad_input_is_refused_and_nothing_is_stored(make_sandbox_app, fields, message):
    app = make_sandbox_app(**LOOSE)
    response = _post(app.test_client(), **fields)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(ContactMessage.id))) == 0
    assert not Path(app.instance_path, "outbox").exists()
