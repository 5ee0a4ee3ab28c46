"""NUL bytes everywhere a person can type or a URL can carry: PostgreSQL refuses NUL in text, so
each is refused up front with a readable 400 and never reaches the database."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from studio.security import NUL_MESSAGE
from tests.adversarial.conftest import Snapshot
from tests.helpers import STAFF_PASSWORD, csrf_token

NUL = "a\x00b"


def _form_cases(world: dict) -> list[tuple[str, str, dict[str, str]]]:
    """(page with the form, URL to post to, fields) for forms with free text."""
    req = f"/privacy/requests/{world['request_id']}"
    return [
        ("/auth/password", "/auth/password", {"current": NUL, "new": NUL}),
        ("/staff/", "/staff/", {"email": f"x{NUL}@example.com", "role": "staff"}),
        (req, f"{req}/reject", {"reject-reason": NUL}),
        (req, f"{req}/extend", {"extend-months": "1", "extend-reason": NUL}),
        ("/data-deletion/status", "/data-deletion/status", {"code": NUL}),
        ("/data-deletion", "/data-deletion", {"kind": "email", "email": f"{NUL}@example.com"}),
    ]


def test_nul_in_staff_and_public_forms(app: Flask, world: dict, admin_client: FlaskClient) -> None:
    before = Snapshot(app)
    for page, url, fields in _form_cases(world):
        token = csrf_token(admin_client, page)
        prefix = (
            "reject-" if url.endswith("/reject") else "extend-" if url.endswith("/extend") else ""
        )
        answer = admin_client.post(url, data={f"{prefix}csrf_token": token, **fields})
        assert answer.status_code == 400, (url, answer.status_code)
        assert NUL_MESSAGE in answer.get_data(as_text=True)
    before.assert_unchanged()


def test_nul_in_the_sign_in_form(app: Flask, client: FlaskClient, users) -> None:
    before = Snapshot(app)
    for email in (f"admin{NUL}@example.com", "admin@example.com\x00"):
        token = csrf_token(client, "/auth/login")
        answer = client.post(
            "/auth/login", data={"email": email, "password": STAFF_PASSWORD, "csrf_token": token}
        )
        assert answer.status_code == 400, answer.status_code
        assert NUL_MESSAGE in answer.get_data(as_text=True)
    before.assert_unchanged()


def test_nul_in_url_parts(app: Flask, world: dict, admin_client: FlaskClient) -> None:
    token = csrf_token(admin_client, "/videos/upload")
    before = Snapshot(app)
    for url in (
        "/videos/uploads/abc%00def",
        "/data-deletion/status/AB%00CD",
        "/data-deletion/email/x%00y",
        "/media/x%00y",
        "/audit/?text=a%00b&kind=a%00b",
        "/posts/?before=1%00",
    ):
        answer = admin_client.get(url, headers={"X-CSRFToken": token})
        assert answer.status_code == 400, (url, answer.status_code)
        if url.startswith("/videos/uploads/"):
            assert answer.get_json()["error"]["message"] == NUL_MESSAGE
        else:
            assert NUL_MESSAGE in answer.get_data(as_text=True)
    before.assert_unchanged()
