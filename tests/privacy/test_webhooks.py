"""TikTok and Meta webhooks: signatures, timestamps, repeats, and what the events do."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import pytest
from sqlalchemy import func, select

from studio import db
from studio.audit.models import AuditEntry
from studio.platforms import inbox
from studio.platforms.models import Account, AccountStatus, WebhookDelivery
from studio.platforms.tiktok import tasks as tiktok_tasks
from studio.platforms.tiktok import webhooks as tiktok_webhooks
from studio.privacy.models import DeletionRequest, RequestStatus
from studio.sandbox.webhooks import build_body, sign
from tests.privacy.conftest import ACME_OPEN_ID

SECRET = "sandbox-client-secret"
META_SECRET = "meta-app-secret-for-tests"


def _post(client, body: bytes, timestamp: int | None = None, secret: str = SECRET):
    header = sign(secret, int(time.time()) if timestamp is None else timestamp, body)
    return client.post(
        "/webhooks/tiktok",
        data=body,
        headers={"TikTok-Signature": header, "Content-Type": "application/json"},
    )


def _event(event: str, content: dict, open_id: str = ACME_OPEN_ID) -> bytes:
    return build_body("sandbox-client-key", event, open_id, content)


def _deliveries(app) -> list[WebhookDelivery]:
    with app.app_context():
        return list(db.session.scalars(select(WebhookDelivery)))


def _audit_kinds(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEntry.kind).order_by(AuditEntry.seq)))


def test_forged_signature_is_rejected_and_recorded(app, client):
    response = _post(client, _event("authorization.removed", {"reason": 1}), secret="wrong")
    assert response.status_code == 401
    assert _deliveries(app) == []
    assert "webhook:rejected" in _audit_kinds(app)


def test_missing_signature_is_rejected(app, client):
    body = _event("authorization.removed", {"reason": 1})
    response = client.post("/webhooks/tiktok", data=body)
    assert response.status_code == 401


def test_old_delivery_is_rejected(app, client):
    stale = int(time.time()) - 301
    response = _post(client, _event("authorization.removed", {"reason": 1}), timestamp=stale)
    assert response.status_code == 401


def test_other_client_key_is_rejected(app, client):
    body = build_body("someone-else", "authorization.removed", ACME_OPEN_ID, {"reason": 1})
    assert _post(client, body).status_code == 401


def test_authorization_removed_erases_tokens(app, client, connected_account):
    response = _post(client, _event("authorization.removed", {"reason": 1}))
    assert response.status_code == 200
    with app.app_context():
        account = db.session.get(Account, connected_account.id)
        assert account.status == AccountStatus.DISCONNECTED
        assert account.access_token_enc is None and account.data_key is None
        assert db.session.scalar(select(func.count(DeletionRequest.id))) == 0
    (delivery,) = _deliveries(app)
    assert delivery.outcome == "disconnected" and delivery.body_enc is None
    assert "webhook:received" in _audit_kinds(app)


def test_replayed_delivery_is_processed_once(app, client, connected_account):
    body = _event("authorization.removed", {"reason": 1})
    assert _post(client, body).status_code == 200
    assert _post(client, body, timestamp=int(time.time()) + 1).status_code == 200
    (delivery,) = _deliveries(app)
    assert delivery.duplicates == 1
    assert _audit_kinds(app).count("tiktok:disconnected") == 1


def test_removal_can_open_a_deletion_request(make_sandbox_app, connected_account):
    from tests.privacy.conftest import LOOSE_LIMITS

    app = make_sandbox_app(
        WEBHOOK_OPENS_DELETION=True,
        **LOOSE_LIMITS,
    )
    assert _post(app.test_client(), _event("authorization.removed", {"reason": 2})).status_code
    with app.app_context():
        req = db.session.scalar(select(DeletionRequest))
        assert req.source == "tiktok" and req.status == RequestStatus.COMPLETED
        assert db.session.scalar(select(func.count(Account.id))) == 0


def test_removal_for_unknown_account_is_acknowledged(app, client):
    response = _post(client, _event("authorization.removed", {"reason": 1}, open_id="nobody"))
    assert response.status_code == 200
    (delivery,) = _deliveries(app)
    assert delivery.outcome == "no_account"


def test_publish_event_updates_the_post(app, client, sent_post):
    content = {"publish_id": sent_post.deliveries[0].remote_id, "publish_type": "INBOX_SHARE"}
    response = _post(client, _event("post.publish.complete", content))
    assert response.status_code == 200
    (delivery,) = _deliveries(app)
    assert delivery.outcome == "applied"


def test_sweeper_processes_a_delivery_left_by_a_crash(app, client, connected_account):
    body = _event("authorization.removed", {"reason": 1})
    with app.app_context():
        received = inbox.store(db.session, "tiktok", "authorization.removed", body)
        row = db.session.get(WebhookDelivery, received.delivery.id)
        row.received_at = row.received_at.replace(year=row.received_at.year - 1)
        db.session.commit()
        tiktok_tasks.sweep_tiktok_webhooks.call_local()
    (delivery,) = _deliveries(app)
    assert delivery.processed_at is not None and delivery.outcome == "disconnected"


def test_sandbox_delivers_a_real_signed_webhook(app, sandbox, connected_account):
    """Over HTTP from the sandbox's own signer, the way TikTok sends it."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        sandbox.configure(webhook_url=f"http://127.0.0.1:{server.server_port}/webhooks/tiktok")
        record = sandbox.send_webhook("authorization.removed", ACME_OPEN_ID, {"reason": 1}, True)
    finally:
        server.shutdown()
    assert record["delivered"] and record["attempts"] == [200]
    with app.app_context():
        assert db.session.get(Account, connected_account.id).data_key is None


def _signed_request(payload: dict, secret: str = META_SECRET) -> str:
    def enc(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    p = enc(json.dumps(payload).encode())
    return enc(hmac.new(secret.encode(), p.encode(), hashlib.sha256).digest()) + "." + p


def _meta_payload() -> dict:
    now = int(time.time())
    return {
        "algorithm": "HMAC-SHA256",
        "issued_at": now,
        "expires": now + 3600,
        "user_id": "218471",
    }


def test_meta_callback_answers_with_url_and_code(meta_app):
    client = meta_app.test_client()
    signed = _signed_request(_meta_payload())
    response = client.post("/webhooks/meta/data-deletion", data={"signed_request": signed})
    assert response.status_code == 200 and response.is_json
    data = response.get_json()
    assert data["confirmation_code"].isalnum()
    assert data["url"].endswith(f"/data-deletion/status/{data['confirmation_code']}")
    page = client.get(data["url"].split("localhost", 1)[1]).get_data(as_text=True)
    assert "completed" in page and "218471" not in page
    again = client.post("/webhooks/meta/data-deletion", data={"signed_request": signed})
    assert again.get_json()["confirmation_code"] == data["confirmation_code"]
    with meta_app.app_context():
        assert db.session.scalar(select(func.count(DeletionRequest.id))) == 1


def test_meta_forged_signature_is_rejected(meta_app):
    signed = _signed_request(_meta_payload(), secret="not-the-secret")
    response = meta_app.test_client().post(
        "/webhooks/meta/data-deletion", data={"signed_request": signed}
    )
    assert response.status_code == 400
    with meta_app.app_context():
        assert db.session.scalar(select(func.count(DeletionRequest.id))) == 0


@pytest.mark.parametrize("signed", ["", "nodot", "!!!.???", "abc.def"])
def test_meta_malformed_requests_are_rejected(meta_app, signed):
    response = meta_app.test_client().post(
        "/webhooks/meta/data-deletion", data={"signed_request": signed}
    )
    assert response.status_code == 400


def test_meta_callback_is_off_without_a_secret(client):
    signed = _signed_request(_meta_payload())
    response = client.post("/webhooks/meta/data-deletion", data={"signed_request": signed})
    assert response.status_code == 404


def test_a_delivery_held_by_another_worker_is_not_processed_twice(app, connected_account):
    import datetime as dt

    body = _event("authorization.removed", {"reason": 1})
    with app.app_context():
        received = inbox.store(db.session, "tiktok", "authorization.removed", body)
        assert inbox.claim(db.session, received.delivery.id) is not None  # worker one
        assert (
            inbox.process(db.session, received.delivery.id, tiktok_webhooks.handle) is None
        )  # worker two: skip
        row = db.session.get(WebhookDelivery, received.delivery.id)
        row.claimed_until = db.utcnow() - dt.timedelta(seconds=1)  # worker one died
        db.session.commit()
        assert (
            inbox.process(db.session, received.delivery.id, tiktok_webhooks.handle)
            == "disconnected"
        )
