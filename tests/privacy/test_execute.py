"""Carrying out a request: everything about the account goes, a receipt stays, re-runs are safe."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from studio import db
from studio.audit.models import AuditEntry
from studio.audit.verify import verify as verify_chain
from studio.platforms.models import Account
from studio.posts.models import Post
from studio.privacy import execute, steps
from studio.privacy.models import DeletionRequest, RequestStatus
from studio.videos.models import Video
from tests.privacy.conftest import delete_now, file_request, verify_with_tiktok


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _request(app) -> DeletionRequest:
    with app.app_context():
        return db.session.scalar(select(DeletionRequest).order_by(DeletionRequest.id.desc()))


def _complete(client, sandbox) -> str:
    code, _ = file_request(client)
    assert verify_with_tiktok(client, sandbox).status_code == 303
    response = delete_now(client)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/data-deletion/status/{code}")
    return code


def test_owner_request_erases_account_tokens_videos_posts(app, client, sent_post, sandbox):
    assert sent_post.deliveries[0].status in ("in_inbox", "processing", "uploaded")
    code = _complete(client, sandbox)
    assert _count(app, Account) == 0
    assert _count(app, Post) == 0
    assert _count(app, Video) == 0
    assert list((app.instance_path / __import__("pathlib").Path("uploads")).glob("*.mp4")) == []
    req = _request(app)
    assert req.status == RequestStatus.COMPLETED and req.step == "done"
    assert req.data_key is None and req.subject_enc is None
    receipt = json.loads(req.receipt)
    assert receipt["erased"]["tiktok_tokens"] == 2
    assert receipt["erased"]["posts"] == 1 and receipt["erased"]["videos"] == 1
    assert receipt["erased"]["tiktok_profile"] == 1
    assert receipt["erased"]["audit_payloads"] > 0
    assert "pending_videos" not in receipt
    page = client.get(f"/data-deletion/status/{code}").get_data(as_text=True)
    assert "completed" in page and "What we erased" in page and "What we kept" in page
    assert "Posts sent to your account" in page and "salted hash" in page
    assert all(token.revoked for token in sandbox.state.access.values())
    with app.app_context():
        assert verify_chain(app).intact
        erased = db.session.scalar(
            select(func.count(AuditEntry.seq)).where(AuditEntry.erased_at.is_not(None))
        )
        assert erased == receipt["erased"]["audit_payloads"]


def test_repeated_execution_changes_nothing(app, client, sent_post, sandbox):
    _complete(client, sandbox)
    before = _request(app).receipt
    with app.app_context():
        execute.execute(db.session, _request(app).id)
    assert _request(app).receipt == before


def test_every_step_can_run_again_after_a_crash(app, client, sent_post, sandbox):
    """Re-running the whole plan from the start after completion-like state is harmless."""
    code, _ = file_request(client)
    verify_with_tiktok(client, sandbox)
    with app.app_context():
        req = db.session.scalar(select(DeletionRequest))
        req.status = RequestStatus.IN_PROGRESS
        db.session.commit()
        plan = steps.plan("tiktok")
        subject = execute.services.subject(req)
        for _name, step in plan:  # first pass: as if the job died before recording steps
            tally = execute.Tally(req)
            step(db.session, req, subject, tally)
            tally.save(req)
            db.session.commit()
        req.step = None
        db.session.commit()
        execute.execute(db.session, req.id)
        req = db.session.get(DeletionRequest, req.id)
        assert req.status == RequestStatus.COMPLETED
        assert db.session.scalar(select(func.count(Account.id))) == 0
        assert verify_chain(app).intact


def test_execution_resumes_after_the_last_finished_step(app, client, sent_post, sandbox):
    file_request(client)
    verify_with_tiktok(client, sandbox)
    with app.app_context():
        req = db.session.scalar(select(DeletionRequest))
        req.status = RequestStatus.IN_PROGRESS
        req.step = "posts"  # locate, revoke and posts finished before a crash
        req.account_id = db.session.scalar(select(Account.id))
        db.session.commit()
        execute.execute(db.session, req.id)
        req = db.session.get(DeletionRequest, req.id)
        assert req.status == RequestStatus.COMPLETED
        assert db.session.scalar(select(func.count(Account.id))) == 0


def test_export_before_deletion_holds_the_owners_data(app, client, sent_post, sandbox):
    file_request(client)
    verify_with_tiktok(client, sandbox)
    response = client.get("/data-deletion/export")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    data = response.get_json(force=True)
    assert data["tiktok_account"]["display_name"] == "Acme Studio"
    assert data["posts"][0]["caption"].startswith("Our new kettle")
    assert data["audit_log"]
    body = response.get_data(as_text=True)
    for token in list(sandbox.state.access) + list(sandbox.state.refresh):
        assert token not in body


def test_without_auto_execution_an_admin_approves(make_sandbox_app, sandbox, connected_account):
    from tests.conftest import AuthActions
    from tests.helpers import csrf_token
    from tests.privacy.conftest import LOOSE_LIMITS

    app = make_sandbox_app(
        DELETION_AUTO_EXECUTE=False,
        **LOOSE_LIMITS,
    )
    public = app.test_client()
    file_request(public)
    verify_with_tiktok(public, sandbox)
    page = public.get("/data-deletion/verified").get_data(as_text=True)
    assert "Delete my data now" not in page and "administrator" in page
    admin = app.test_client()
    AuthActions(app, admin).login()
    req = _request(app)
    token = csrf_token(admin, f"/privacy/requests/{req.id}")
    response = admin.post(f"/privacy/requests/{req.id}/approve", data={"csrf_token": token})
    assert response.status_code == 302
    assert _request(app).status == RequestStatus.COMPLETED
    assert _count(app, Account) == 0
    page = admin.get(f"/privacy/requests/{req.id}").get_data(as_text=True)
    assert "Receipt" in page and "TikTok profile" in page
    assert "completed" in admin.get("/privacy/requests").get_data(as_text=True)
