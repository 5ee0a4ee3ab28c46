"""Copy and correction requests: same verification and deadlines as deletion, nothing erased."""

from __future__ import annotations

import datetime as dt
import email
import re
from pathlib import Path

from sqlalchemy import func, select

from studio import db
from studio.audit import Actor
from studio.platforms.models import Account
from studio.posts.models import Post
from studio.privacy import rights, services
from studio.privacy.models import DeletionRequest, RequestStatus, RequestType
from tests.conftest import AuthActions
from tests.helpers import csrf_token
from tests.privacy.conftest import file_request, verify_with_tiktok


def _request(app) -> DeletionRequest:
    with app.app_context():
        return db.session.scalar(select(DeletionRequest).order_by(DeletionRequest.id.desc()))


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _file_by_email(client, request_type: str, **form: str) -> None:
    token = csrf_token(client, "/data-deletion")
    data = {"csrf_token": token, "kind": "email", "email": "staff@example.com", **form}
    answer = client.post("/data-deletion", data={**data, "request_type": request_type})
    assert answer.status_code == 303


def _outbox(app) -> list[email.message.Message]:
    paths = sorted(Path(app.instance_path, "outbox").glob("*.eml"))
    return [email.message_from_bytes(p.read_bytes()) for p in paths]


def _body(message: email.message.Message) -> str:
    return message.get_payload(decode=True).decode()


def test_policy_links_to_each_right_and_the_form_preselects_it(client):
    policy = client.get("/privacy").get_data(as_text=True)
    assert 'href="/data-requests/new?kind=copy"' in policy
    assert 'href="/data-requests/new?kind=correction"' in policy
    page = client.get("/data-requests/new?kind=copy").get_data(as_text=True)
    assert re.search(r'value="copy"[^>]*checked|checked[^>]*value="copy"', page)
    plain = client.get("/data-deletion").get_data(as_text=True)
    assert re.search(r'value="erasure"[^>]*checked|checked[^>]*value="erasure"', plain)
    odd = client.get("/data-requests/new?kind=<script>").get_data(as_text=True)
    assert "<script>" not in odd.split("<body", 1)[1].split("privacy-pages.js")[0]


def test_copy_request_downloads_everything_and_erases_nothing(app, client, sent_post, sandbox):
    code, _ = file_request(client, request_type="copy")
    assert _request(app).request_type == RequestType.COPY
    assert verify_with_tiktok(client, sandbox).status_code == 303
    page = client.get("/data-deletion/verified").get_data(as_text=True)
    assert "Download your copy" in page and "Delete my data now" not in page
    export = client.get("/data-deletion/export").get_json(force=True)
    assert export["tiktok_account"]["remote_id"] == sent_post_open_id(app)
    assert [p["id"] for p in export["posts"]] == [sent_post.id]
    done = client.post(
        "/data-deletion/confirm", data={"csrf_token": csrf_token(client, "/data-deletion")}
    )
    assert done.status_code == 303 and done.headers["Location"].endswith(code)
    req = _request(app)
    assert req.status == RequestStatus.COMPLETED and req.subject_enc is None
    assert services.receipt(req)["erased"] == {}
    # Nothing was erased, and the company's connection still works (token not revoked).
    assert _count(app, Account) == 1 and _count(app, Post) == 1
    with app.app_context():
        account = db.session.scalar(select(Account))
        assert account.data_key and account.access_token_enc
    assert not any(token.revoked for token in sandbox.state.access.values())
    status = client.get(f"/data-deletion/status/{code}").get_data(as_text=True)
    assert "request for a copy of your data" in status and "Nothing was deleted" in status


def sent_post_open_id(app) -> str:
    with app.app_context():
        return db.session.scalar(select(Account.remote_id))


def test_copy_request_completes_when_the_download_window_ends(app, client, users):
    _file_by_email(client, "copy")
    (message,) = _outbox(app)
    assert "for a copy of the data" in _body(message)
    with app.app_context():
        req = db.session.scalar(select(DeletionRequest))
        services.mark_verified(db.session, req, identifier="staff@example.com", changes={})
        assert rights.copies_served(db.session) == []
        req.verified_at = db.utcnow() - dt.timedelta(hours=25)
        db.session.commit()
        assert services.due_for_auto_start(db.session) == []  # never started as an erasure
        from studio.privacy.tasks import sweep

        sweep.call_local()
        req = db.session.get(DeletionRequest, req.id)
        assert req.status == RequestStatus.COMPLETED and req.reason == rights.COPY_SERVED
        from studio.auth.models import User

        assert db.session.scalar(select(User).where(User.email == "staff@example.com"))


def test_a_copy_of_someone_elses_account_is_refused(app, client, sent_post, sandbox):
    file_request(client, request_type="copy")  # names "Acme Studio"
    response = verify_with_tiktok(client, sandbox, creator="quiet")
    assert response.status_code == 403
    assert client.get("/data-deletion/export").status_code == 403
    assert _request(app).status == RequestStatus.RECEIVED


def test_correction_needs_its_text_and_stores_nothing_without_it(app, client):
    token = csrf_token(client, "/data-deletion")
    response = client.post(
        "/data-deletion",
        data={"csrf_token": token, "kind": "tiktok", "name": "Acme", "request_type": "correction"},
    )
    assert response.status_code == 400
    assert "Tell us which data is wrong" in response.get_data(as_text=True)
    response = client.post(
        "/data-deletion",
        data={"csrf_token": token, "kind": "tiktok", "name": "Acme", "request_type": "steal"},
    )
    assert response.status_code == 400
    assert _count(app, DeletionRequest) == 0


def test_correction_is_resolved_by_an_admin_with_a_note(app, client, users):
    wrong = "My e-mail is misspelt: it should be staff@example.com"
    _file_by_email(client, "correction", correction=wrong)
    req = _request(app)
    assert req.request_type == RequestType.CORRECTION and wrong not in (req.subject_enc or "")
    with app.app_context():
        req = db.session.get(DeletionRequest, req.id)
        services.mark_verified(db.session, req, identifier="staff@example.com", changes={})
    admin = app.test_client()
    AuthActions(app, admin).login()
    detail = admin.get(f"/privacy/requests/{req.id}").get_data(as_text=True)
    assert wrong in detail and "Complete (nothing is erased)" in detail
    url = f"/privacy/requests/{req.id}/resolve"
    token = csrf_token(admin, f"/privacy/requests/{req.id}")
    assert admin.post(url, data={"csrf_token": token, "resolve-note": ""}).status_code == 302
    assert _request(app).status == RequestStatus.VERIFIED  # no note, no completion
    note = "Corrected the spelling of your address."
    assert admin.post(url, data={"csrf_token": token, "resolve-note": note}).status_code == 302
    req = _request(app)
    assert req.status == RequestStatus.COMPLETED and req.reason == note
    assert req.subject_enc is None and req.data_key is None
    # An erasure request cannot be "resolved" away without carrying it out.
    with app.app_context():
        erasure, _code = services.open_request(
            db.session,
            kind="email",
            source="form",
            subject={"email": "x@example.com"},
            identifier="x@example.com",
            actor=Actor.public(),
            verified=True,
        )
    token = csrf_token(admin, f"/privacy/requests/{erasure.id}")
    admin.post(
        f"/privacy/requests/{erasure.id}/resolve", data={"csrf_token": token, "resolve-note": "x"}
    )
    assert _request(app).status == RequestStatus.VERIFIED


def test_tiktok_requester_gets_extension_notices_at_an_optional_address(
    app, client, connected_account, sandbox
):
    code, _ = file_request(client, request_type="copy")
    verify_with_tiktok(client, sandbox)
    page = client.get("/data-deletion/verified").get_data(as_text=True)
    assert "Notices by e-mail" in page
    token = csrf_token(client, "/data-deletion/verified")
    bad = client.post("/data-deletion/notice-email", data={"csrf_token": token, "email": "no"})
    assert bad.status_code == 400
    saved = client.post(
        "/data-deletion/notice-email", data={"csrf_token": token, "email": "Owner@Example.com"}
    )
    assert saved.status_code == 303
    assert "owner@example.com" not in (_request(app).subject_enc or "")
    # Another browser (with the code only) cannot set the address.
    other = app.test_client()
    token2 = csrf_token(other, "/data-deletion")
    refused = other.post(
        "/data-deletion/notice-email", data={"csrf_token": token2, "email": "evil@example.com"}
    )
    assert refused.status_code == 403
    admin = app.test_client()
    AuthActions(app, admin).login()
    req = _request(app)
    token = csrf_token(admin, f"/privacy/requests/{req.id}")
    admin.post(
        f"/privacy/requests/{req.id}/extend",
        data={"csrf_token": token, "extend-months": "2", "extend-reason": "Backups to check"},
    )
    (message,) = [m for m in _outbox(app) if m["To"] == "owner@example.com"]
    assert "Backups to check" in _body(message) and "deadline extended" in message["Subject"]
    status = client.get(f"/data-deletion/status/{code}").get_data(as_text=True)
    callout = status.split('id="extension"', 1)[1].split("</div>", 1)[0]
    assert "Deadline extended to" in callout and "Backups to check" in callout
