"""Copy and correction requests: guessing, someone else's data, forged types, injected text."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from studio import db
from studio.privacy.models import DeletionRequest, RequestStatus, RequestType
from tests.adversarial.conftest import VOLATILE, Snapshot, count, injected
from tests.conftest import AuthActions
from tests.helpers import csrf_token
from tests.privacy.conftest import ACME_OPEN_ID, file_request, verify_with_tiktok


def _file_copy(client: FlaskClient, **form: str):
    return file_request(client, "Acme Studio", request_type="copy", **form)


def _nothing_granted(client: FlaskClient) -> None:
    assert client.get("/data-deletion/verified").status_code == 403
    assert client.get("/data-deletion/export").status_code == 403


def test_guessed_codes_of_a_copy_request_are_limited_and_indistinguishable(make_app) -> None:
    app = make_app(DELETION_STATUS_RATE_LIMIT="4 per minute", PUBLIC_FORM_RATE_LIMIT="10/minute")
    code, _page = _file_copy(app.test_client())
    near_miss = code[:-1] + ("A" if code[-1] != "A" else "B")
    guesser = app.test_client()
    never = guesser.get("/data-deletion/status/" + "Z" * 24)
    wrong = guesser.get("/data-deletion/status/" + near_miss)
    assert never.status_code == wrong.status_code == 404 and never.data == wrong.data
    answers = [guesser.get(f"/data-deletion/status/{'Q' * 23}{c}").status_code for c in "ABCD"]
    assert answers == [404, 404, 429, 429]
    assert guesser.get("/data-deletion/status/" + code).status_code == 429


def test_a_copy_of_someone_elses_account_is_not_given(
    app: Flask, client: FlaskClient, sandbox, connected_account
) -> None:
    _file_copy(client)  # the victim's account, named by the attacker...
    before = Snapshot(app, ignore=VOLATILE | {"oauth_flows"})
    answer = verify_with_tiktok(client, sandbox, creator="quiet")  # ...who signs in as himself
    assert answer.status_code == 403
    assert b"The TikTok account you signed in with is not the account named" in answer.data
    before.assert_unchanged()
    _nothing_granted(client)


def test_a_lookalike_name_gets_a_copy_of_the_signers_own_data_only(
    app: Flask, client: FlaskClient, sandbox, sent_post
) -> None:
    sandbox.configure(display_names={"quiet": "Acme Studio"})
    _file_copy(client)
    assert verify_with_tiktok(client, sandbox, creator="quiet").status_code == 303
    data = client.get("/data-deletion/export").get_json(force=True)
    assert data["tiktok_account"] is None and "posts" not in data
    assert "Our new kettle" not in str(data) and ACME_OPEN_ID not in str(data)


def test_the_code_alone_neither_downloads_nor_sets_the_notice_address(
    app: Flask, client: FlaskClient, sandbox, connected_account
) -> None:
    code, _ = _file_copy(client)
    verify_with_tiktok(client, sandbox)
    holder = app.test_client()  # knows the code, did not verify
    page = holder.get(f"/data-deletion/status/{code}").get_data(as_text=True)
    assert "Download my data" not in page and "notice-form" not in page
    _nothing_granted(holder)
    token = csrf_token(holder, "/data-deletion")
    answer = holder.post(
        "/data-deletion/notice-email", data={"csrf_token": token, "email": "evil@example.com"}
    )
    assert answer.status_code == 403
    with app.app_context():
        req = db.session.scalar(select(DeletionRequest))
        from studio.privacy import services

        assert "notice_email" not in services.subject(req)


@pytest.mark.parametrize(
    "request_type", ["COPY", "erasure'--", "", "copy\x00", "access", "x" * 500]
)
def test_forged_request_types_store_nothing(app: Flask, client: FlaskClient, request_type) -> None:
    token = csrf_token(client, "/data-deletion")
    answer = client.post(
        "/data-deletion",
        data={
            "csrf_token": token,
            "kind": "tiktok",
            "name": "Acme Studio",
            "request_type": request_type,
        },
    )
    assert answer.status_code == 400
    assert "Traceback" not in answer.get_data(as_text=True)
    assert count(app, DeletionRequest) == 0


def test_injected_correction_text_is_shown_to_admins_as_text(
    app: Flask, client: FlaskClient, users
) -> None:
    payload = '<script id="xss-c">1</script><img src=x onerror=alert(1) id="xss-i">'
    token = csrf_token(client, "/data-deletion")
    client.post(
        "/data-deletion",
        data={
            "csrf_token": token,
            "kind": "email",
            "email": "staff@example.com",
            "request_type": "correction",
            "correction": payload,
        },
    )
    with app.app_context():
        req = db.session.scalar(select(DeletionRequest))
        assert req.request_type == RequestType.CORRECTION
        assert req.status == RequestStatus.RECEIVED
    admin = app.test_client()
    AuthActions(app, admin).login()
    page = admin.get(f"/privacy/requests/{req.id}").get_data(as_text=True)
    assert injected(page) == [] and "&lt;script" in page
