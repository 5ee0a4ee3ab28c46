"""The public deletion form, codes, the status page, e-mail verification and the export."""

from __future__ import annotations

import email
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from studio import db
from studio.privacy import codes
from studio.privacy.models import DeletionRequest, RequestStatus
from tests.helpers import csrf_token
from tests.privacy.conftest import delete_now, file_request


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(DeletionRequest.id)))


def _strip_code(page: str, code: str) -> str:
    page = page.replace(code, "CODE").replace(codes.grouped(code), "CODE")
    return re.sub(r'name="csrf_token" (?:type="hidden" )?value="[^"]+"', "CSRF", page)


def test_form_needs_csrf(client):
    response = client.post("/data-deletion", data={"kind": "tiktok", "name": "Acme Studio"})
    assert response.status_code == 400


def test_form_explains_what_is_missing(client):
    token = csrf_token(client, "/data-deletion")
    response = client.post("/data-deletion", data={"csrf_token": token, "kind": "tiktok"})
    assert response.status_code == 400
    assert "Enter the display name" in response.get_data(as_text=True)
    token = csrf_token(client, "/data-deletion")
    response = client.post(
        "/data-deletion", data={"csrf_token": token, "kind": "email", "email": "nope"}
    )
    assert response.status_code == 400
    assert "Traceback" not in response.get_data(as_text=True)


def test_request_gets_a_long_code_stored_only_as_a_hash(app, client):
    code, page = file_request(client)
    assert len(code) == codes.CODE_LENGTH and code.isalnum()
    assert "shown only in this browser" in page
    with app.app_context():
        req = db.session.scalar(select(DeletionRequest))
        assert req.code_hash == codes.hash_code(code) and code not in repr(req.__dict__)
        assert req.status == RequestStatus.RECEIVED
        assert (req.due_at - req.received_at).days in (28, 29, 30, 31)
    again = client.get("/data-deletion/received")  # a reload shows it again, here only
    assert again.status_code == 200 and f'data-code="{code}"' in again.get_data(as_text=True)
    assert app.test_client().get("/data-deletion/received").status_code == 302


def test_honeypot_answers_the_same_and_stores_nothing(app, client):
    token = csrf_token(client, "/data-deletion")
    data = {"csrf_token": token, "kind": "tiktok", "name": "Acme", "website": "http://spam"}
    answer = client.post("/data-deletion", data=data)
    assert answer.status_code == 200 and "We received your request" in answer.text
    code = re.search(r'data-code="([A-Z0-9]+)"', answer.text).group(1)
    assert _count(app) == 0
    assert client.get(f"/data-deletion/status/{code}").status_code == 404


def test_same_answer_whether_or_not_we_hold_the_account(app, client, connected_account):
    first, held = file_request(client, name="Acme Studio")
    other = app.test_client()
    second, unknown = file_request(other, name="Nobody We Know")
    assert _strip_code(held, first) == _strip_code(unknown, second)


def test_status_page_shows_state_and_dates_only(app, client):
    code, _ = file_request(client, name="Acme Studio")
    page = client.get(f"/data-deletion/status/{code}").get_data(as_text=True)
    assert "received" in page and "Acme Studio" not in page
    grouped = client.get(f"/data-deletion/status/{codes.grouped(code).replace(' ', '-')}")
    assert grouped.status_code == 200


@pytest.mark.parametrize("guess", ["A" * 24, "ABC", "not a code", "Z" * 64])
def test_unknown_codes_get_the_same_not_found_page(client, guess):
    response = client.get(f"/data-deletion/status/{guess}")
    assert response.status_code == 404
    assert "No request matches this confirmation code" in response.get_data(as_text=True)


def test_status_lookup_form_redirects_to_the_page(client):
    code, _ = file_request(client)
    token = csrf_token(client, "/data-deletion/status")
    response = client.post(
        "/data-deletion/status", data={"csrf_token": token, "code": codes.grouped(code)}
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/data-deletion/status/{code}")


def test_guessing_codes_is_rate_limited(make_app):
    app = make_app(DELETION_STATUS_RATE_LIMIT="3 per minute")
    client = app.test_client()
    answers = [client.get(f"/data-deletion/status/{'B' * 24}").status_code for _ in range(5)]
    assert answers[:3] == [404, 404, 404] and answers[3:] == [429, 429]


def test_public_form_is_rate_limited(make_app):
    app = make_app(PUBLIC_FORM_RATE_LIMIT="2 per minute")
    client = app.test_client()
    statuses = []
    for _ in range(3):
        token = csrf_token(client, "/data-deletion")
        statuses.append(
            client.post(
                "/data-deletion", data={"csrf_token": token, "kind": "tiktok", "name": "x"}
            ).status_code
        )
    assert statuses == [303, 303, 429]


def _outbox_link(app) -> str:
    (path,) = sorted(Path(app.instance_path, "outbox").glob("*.eml"))
    message = email.message_from_bytes(path.read_bytes())
    body = message.get_payload(decode=True).decode()
    return re.search(r"http://localhost(/data-deletion/email/\S+)", body).group(1)


def test_email_verification_through_the_outbox(app, client, users):
    token = csrf_token(client, "/data-deletion")
    response = client.post(
        "/data-deletion",
        data={"csrf_token": token, "kind": "email", "email": "Staff@Example.com"},
    )
    assert response.status_code == 303
    page = client.get("/data-deletion/received").get_data(as_text=True)
    assert "check your e-mail" in page.lower()
    link = _outbox_link(app)
    browser = app.test_client()  # the link may be opened anywhere
    assert "Yes, it was me" in browser.get(link).get_data(as_text=True)
    confirm = browser.post(link, data={"csrf_token": csrf_token(browser, link)})
    assert confirm.status_code == 303
    export = browser.get("/data-deletion/export").get_json(force=True)
    assert export["staff_account"]["email"] == "staff@example.com"
    assert delete_now(browser).status_code == 303
    with app.app_context():
        req = db.session.scalar(select(DeletionRequest))
        assert req.status == RequestStatus.COMPLETED
        assert "still active" in req.receipt  # active staff accounts are kept, with the reason


def test_forged_or_expired_email_link_is_refused(app, client):
    response = client.get("/data-deletion/email/not-a-real-token")
    assert "invalid or has expired" in response.get_data(as_text=True)
    token = csrf_token(client, "/data-deletion")
    response = client.post("/data-deletion/email/forged", data={"csrf_token": token})
    assert response.status_code == 400


def test_export_and_confirm_need_verification(client):
    assert client.get("/data-deletion/export").status_code == 403
    assert client.get("/data-deletion/verified").status_code == 403
    token = csrf_token(client, "/data-deletion")
    assert client.post("/data-deletion/confirm", data={"csrf_token": token}).status_code == 403


def test_revoke_page_explains_and_offers_revocation(client):
    page = client.get("/revoke").get_data(as_text=True)
    assert "Apps and services permissions" in page and "Revoke access now" in page
