"""Forged, stale and replayed webhooks: refused with 401 (or processed exactly once)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from studio import db
from studio.audit.models import AuditEntry
from studio.platforms.models import Account, AccountStatus, WebhookDelivery
from studio.privacy.models import DeletionRequest
from studio.sandbox.webhooks import build_body, sign
from tests.adversarial.conftest import Snapshot, count

SECRET = "sandbox-client-secret"
ACME = "sbx-7f3a9c1e-0001-4d2b-9a51-acme00000001"


def _body(event: str = "authorization.removed", client_key: str = "sandbox-client-key") -> bytes:
    return build_body(client_key, event, ACME, {"reason": 1})


def _now() -> int:
    return int(time.time())


FORGERIES = {
    "no_header": lambda b: None,
    "empty_header": lambda b: "",
    "garbage_header": lambda b: "sha256=deadbeef",
    "timestamp_not_a_number": lambda b: "t=yesterday,s=" + "0" * 64,
    "wrong_signature": lambda b: f"t={_now()},s={'0' * 64}",
    "wrong_secret": lambda b: sign("not-the-secret", _now(), b),
    "client_key_as_secret": lambda b: sign("sandbox-client-key", _now(), b),
    "signature_of_another_body": lambda b: sign(SECRET, _now(), b + b" "),
    "stale_timestamp": lambda b: sign(SECRET, _now() - 3600, b),
    "future_timestamp": lambda b: sign(SECRET, _now() + 3600, b),
    "non_ascii_signature": lambda b: f"t={_now()},s=\u00e9\u00e9",
    "signature_truncated": lambda b: sign(SECRET, _now(), b)[:-8],
}


def test_forged_tiktok_webhooks_are_401_and_change_nothing(
    app: Flask, client: FlaskClient, connected_account
) -> None:
    for kind, forge in sorted(FORGERIES.items()):
        body = _body()
        header = forge(body)
        headers = {"Content-Type": "application/json"}
        if header is not None:
            headers["TikTok-Signature"] = header
        before = Snapshot(app)
        response = client.post("/webhooks/tiktok", data=body, headers=headers)
        assert response.status_code == 401, kind
        assert response.get_json() == {"error": "rejected"}
        before.assert_unchanged()
        with app.app_context():
            kinds = list(db.session.scalars(select(AuditEntry.kind).order_by(AuditEntry.seq)))
            assert kinds[-1] == "webhook:rejected"
            account = db.session.get(Account, connected_account.id)
            assert account.status == AccountStatus.CONNECTED


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        b'{"event": 5}',
        b"[" * 20_000 + b"]" * 20_000,
        _body(client_key="someone-elses-app"),
    ],
    ids=["not_json", "not_an_object", "event_not_a_string", "nested_too_deep", "other_client_key"],
)
def test_signed_but_invalid_envelopes_are_401(app: Flask, client: FlaskClient, body: bytes) -> None:
    response = client.post(
        "/webhooks/tiktok",
        data=body,
        headers={"TikTok-Signature": sign(SECRET, _now(), body)},
    )
    assert response.status_code == 401
    assert count(app, WebhookDelivery) == 0


def test_a_replayed_webhook_is_processed_once(
    app: Flask, client: FlaskClient, connected_account
) -> None:
    body = build_body(
        "sandbox-client-key", "post.publish.inbox_delivered", ACME, {"publish_id": "x"}
    )
    first_header = sign(SECRET, _now(), body)
    answers = [
        client.post("/webhooks/tiktok", data=body, headers={"TikTok-Signature": first_header}),
        client.post("/webhooks/tiktok", data=body, headers={"TikTok-Signature": first_header}),
        client.post(
            "/webhooks/tiktok", data=body, headers={"TikTok-Signature": sign(SECRET, _now(), body)}
        ),
    ]
    assert [a.status_code for a in answers] == [200, 200, 200]
    with app.app_context():
        (delivery,) = db.session.scalars(select(WebhookDelivery)).all()
        assert delivery.processed_at is not None
        assert delivery.duplicates == 2
        summaries = db.session.scalars(
            select(AuditEntry.summary).where(AuditEntry.kind == "webhook:received")
        ).all()
    assert [s.endswith("(repeat, ignored)") for s in summaries] == [False, True, True]


def test_a_replayed_removal_disconnects_once(
    app: Flask, client: FlaskClient, connected_account
) -> None:
    body = _body()
    for _ in range(3):
        answer = client.post(
            "/webhooks/tiktok", data=body, headers={"TikTok-Signature": sign(SECRET, _now(), body)}
        )
        assert answer.status_code == 200
    with app.app_context():
        account = db.session.get(Account, connected_account.id)
        assert account.status == AccountStatus.DISCONNECTED
        disconnects = db.session.scalars(
            select(AuditEntry.kind).where(AuditEntry.account_id == account.id)
        ).all()
    assert disconnects.count("tiktok:disconnected") == 1
    assert count(app, WebhookDelivery) == 1


META_SECRET = "meta-secret-for-the-adversarial-suite"


def _signed_request(payload: dict, secret: str = META_SECRET) -> str:
    encoded = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()
    digest = hmac.new(secret.encode(), encoded.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode() + "." + encoded


@pytest.mark.parametrize(
    "signed",
    [
        _signed_request({"algorithm": "HMAC-SHA256", "user_id": "42"}, secret="wrong"),
        _signed_request({"algorithm": "none", "user_id": "42"}),
        _signed_request({"algorithm": "HMAC-SHA256"}),
        "not-even-base64!.###",
        "",
        "c2lnbmF0dXJl." + base64.urlsafe_b64encode(b"[" * 15_000 + b"]" * 15_000).decode(),
    ],
    ids=["wrong_secret", "alg_none", "no_user", "garbage", "empty", "unsigned_nested_json"],
)
def test_forged_meta_deletion_callbacks_are_refused(make_app, signed: str) -> None:
    app = make_app(META_APP_SECRET=META_SECRET)
    response = app.test_client().post(
        "/webhooks/meta/data-deletion", data={"signed_request": signed}
    )
    assert response.status_code == 400
    assert response.get_json() == {"error": "invalid signed_request"}
    assert count(app, DeletionRequest) == 0 and count(app, WebhookDelivery) == 0
