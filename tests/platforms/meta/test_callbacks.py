"""Meta's callbacks: deauthorize ends the person's grants; deletion erases their accounts only."""

from __future__ import annotations

import json

from sqlalchemy import select

from studio import db
from studio.audit.models import AuditEntry
from studio.platforms.models import WebhookDelivery
from studio.privacy.models import DeletionRequest, RequestStatus
from studio.sandbox.meta import callbacks
from studio.sandbox.meta import tokens as sandbox_tokens
from studio.sandbox.meta.people import ACME_IG, ACME_PAGE, SIDE_PAGE, person
from tests.e2e.conftest import LiveServer
from tests.platforms.meta.app_support import (
    choose,
    connect,
    connect_and_choose,
    login_id,
    rows,
    signed,
)


def _kinds(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEntry.kind).order_by(AuditEntry.seq)))


def test_deauthorize_disconnects_the_persons_accounts_and_erases_their_tokens(
    meta_app, meta_admin, fb, meta_sandbox
):
    connect_and_choose(meta_admin, fb, "dana")
    pat = login_id(connect(meta_admin, fb, "pat"))
    client = meta_app.test_client()
    answer = client.post(
        "/webhooks/meta/deauthorize", data={"signed_request": signed(meta_sandbox, "dana")}
    )
    assert answer.status_code == 200 and answer.get_json() == {"ok": True}
    dana_id = person("dana").user_id
    for account in rows(meta_app):
        mine = account.remote_id == dana_id or (account.parent_id and account.parent_id != pat)
        if mine:
            assert account.status == "disconnected" and account.data_key is None, account
        else:
            assert account.status == "connected" and account.data_key, account
    kinds = _kinds(meta_app)
    assert "webhook:received" in kinds and kinds.count("meta:disconnected") == 4
    with meta_app.app_context():
        (delivery,) = db.session.scalars(select(WebhookDelivery)).all()
        assert delivery.outcome == "disconnected" and delivery.body_enc is None


def test_the_deletion_callback_erases_the_right_accounts_only(
    meta_app, meta_admin, fb, meta_sandbox
):
    dana = connect_and_choose(meta_admin, fb, "dana")
    pat = login_id(connect(meta_admin, fb, "pat"))
    # Side Page is managed by both: Pat's choice takes it over (one row per Page).
    assert choose(meta_admin, pat, [SIDE_PAGE.id], []).status_code == 303
    client = meta_app.test_client()
    answer = client.post(
        "/webhooks/meta/data-deletion", data={"signed_request": signed(meta_sandbox, "dana")}
    )
    assert answer.status_code == 200
    data = answer.get_json()
    left = {(a.platform, a.remote_id): a for a in rows(meta_app)}
    assert ("meta", person("dana").user_id) not in left
    assert ("facebook", ACME_PAGE.id) not in left and ("instagram", ACME_IG.id) not in left
    side = left[("facebook", SIDE_PAGE.id)]
    assert side.parent_id == pat and side.status == "connected" and side.data_key
    assert left[("meta", person("pat").user_id)].data_key
    assert sandbox_tokens.grant_of(meta_sandbox.meta.state, "dana") is None  # removed at Meta
    assert sandbox_tokens.grant_of(meta_sandbox.meta.state, "pat") is not None
    with meta_app.app_context():
        req = db.session.scalar(select(DeletionRequest))
        receipt = json.loads(req.receipt)
        assert req.status == RequestStatus.COMPLETED, req.last_error
    assert receipt["erased"]["meta_profile"] == 1 and receipt["erased"]["instagram_profile"] == 1
    assert (
        receipt["erased"]["facebook_profile"] == 1 and receipt["erased"]["meta_tokens"] == 2
    )  # login, Page
    page = client.get(data["url"].split("localhost", 1)[1]).get_data(as_text=True)
    assert data["confirmation_code"] in page or "Completed" in page or "completed" in page
    assert "Your Meta login in the app" in page and person("dana").user_id not in page
    assert dana not in {a.id for a in rows(meta_app)}
    again = client.post(
        "/webhooks/meta/data-deletion", data={"signed_request": signed(meta_sandbox, "dana")}
    )
    assert again.status_code == 200  # a new delivery: a new request, nothing left to erase


def test_the_sandboxs_own_callbacks_over_http_are_accepted(meta_app, meta_admin, fb, meta_sandbox):
    connect_and_choose(meta_admin, fb, "dana")
    with LiveServer(meta_app) as server:
        meta_sandbox.meta.configure(
            deauthorize_url=f"{server.url}/webhooks/meta/deauthorize",
            data_deletion_url=f"{server.url}/webhooks/meta/data-deletion",
        )
        removed = meta_sandbox.meta.deauthorize("dana")  # the person removes the app at Meta
        assert removed["status"] == 200 and removed["valid"], removed
        assert all(a.data_key is None for a in rows(meta_app))
        asked = meta_sandbox.meta.request_deletion("dana")
        assert asked["status"] == 200 and asked["valid"], asked
        replayed = callbacks.replay(meta_sandbox.meta.state, asked["index"])
        assert replayed["answer"] == asked["answer"]  # same confirmation code for Meta's retry
    assert rows(meta_app) == []
