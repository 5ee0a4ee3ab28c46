"""Odd but well-signed webhook payloads: a clear 4xx that stores nothing, never a 500."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from studio import db
from studio.audit.models import AuditEntry
from studio.platforms.models import WebhookDelivery
from studio.privacy.models import DeletionRequest
from studio.sandbox.webhooks import sign
from studio.security import SURROGATE_MESSAGE
from tests.adversarial.conftest import Snapshot, count
from tests.adversarial.test_webhooks import META_SECRET, SECRET, _signed_request
from tests.helpers import csrf_token

FUZZ = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
DEEP: Any = "deep"
for _ in range(40):  # deeper than any payload of ours nests (MAX_JSON_DEPTH)
    DEEP = [DEEP]
ODD_TEXT = ["a\ud800b", "\udfff", "nul\x00byte", "\x1b[31m", "line\nbreak", "", "x" * 600]
texts = st.one_of(
    st.text(max_size=20),
    st.sampled_from(ODD_TEXT),
    st.lists(st.one_of(st.characters(), st.sampled_from(["\ud800", "\x00"])), max_size=8).map(
        "".join
    ),
)
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False)
)
values = st.recursive(
    st.one_of(scalars, texts),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=8,
)


def _envelope(overrides: dict[str, Any], content: dict[str, Any]) -> dict[str, Any]:
    envelope: dict[str, Any] = {
        "client_key": "sandbox-client-key",
        "event": "post.publish.inbox_delivered",
        "create_time": int(time.time()),
        "user_openid": "sbx-someone",
        "content": json.dumps({"publish_id": "p-1", **content}),
    }
    envelope.update(overrides)
    return envelope


def post_tiktok(client: FlaskClient, envelope: Any) -> Any:
    """POST a TikTok body signed with the real secret (ASCII JSON: surrogates as escapes)."""
    body = json.dumps(envelope).encode()
    signature = sign(SECRET, int(time.time()), body)
    return client.post(
        "/webhooks/tiktok",
        data=body,
        headers={"TikTok-Signature": signature, "Content-Type": "application/json"},
    )


def assert_refused_cleanly(app: Flask, before: Snapshot, response: Any, secret: str) -> None:
    """4xx, nothing stored, and the refusal audited without the signature or the body."""
    assert 400 <= response.status_code < 500
    before.assert_unchanged()
    with app.app_context():
        entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
        assert entry is not None and entry.kind == "webhook:rejected"
        logged = json.dumps([entry.summary, entry.payload])
    assert secret not in logged


@pytest.mark.parametrize(
    "overrides, content",
    [
        ({"event": "a\ud800b"}, {}),
        ({"event": "post.publish.\x00"}, {}),
        ({"event": ["post.publish.complete"]}, {}),
        ({"event": "x" * 65}, {}),
        ({"user_openid": "\udc00"}, {}),
        ({"user_openid": {"$ne": ""}}, {}),
        ({"create_time": "yesterday"}, {}),
        ({"create_time": True}, {}),
        ({"content": ["not", "an", "object"]}, {}),
        ({"content": "{not json"}, {}),
        ({}, {"publish_id": "p\ud800"}),
        ({}, {"publish_id": {"nested": [1, 2]}}),
        ({}, {"reason": 1.5}),
        ({}, {"extra": DEEP}),
    ],
)
def test_odd_tiktok_fields_are_refused_with_4xx(
    app: Flask, client: FlaskClient, overrides: dict, content: dict
) -> None:
    before = Snapshot(app)
    response = post_tiktok(client, _envelope(overrides, content))
    assert response.status_code == 401 and response.get_json() == {"error": "rejected"}
    assert_refused_cleanly(app, before, response, SECRET)


def test_a_duplicate_key_is_refused(app: Flask, client: FlaskClient) -> None:
    # Two parsers could read different events out of one signed body.
    body = b'{"client_key": "sandbox-client-key", "event": "a", "event": "authorization.removed"}'
    before = Snapshot(app)
    response = client.post(
        "/webhooks/tiktok",
        data=body,
        headers={"TikTok-Signature": sign(SECRET, int(time.time()), body)},
    )
    assert_refused_cleanly(app, before, response, SECRET)


@given(overrides=st.dictionaries(st.sampled_from(list(_envelope({}, {}))), values, max_size=3))
@FUZZ
def test_fuzzed_tiktok_envelopes_get_2xx_or_4xx(app: Flask, overrides: dict) -> None:
    client = app.test_client()
    before = Snapshot(app)
    response = post_tiktok(client, _envelope(overrides, {}))
    if response.status_code < 300:
        assert response.get_json() == {"ok": True}
    else:
        assert_refused_cleanly(app, before, response, SECRET)


@given(content=st.dictionaries(st.sampled_from(["publish_id", "reason", "post_id", "x"]), values))
@FUZZ
def test_fuzzed_tiktok_contents_get_2xx_or_4xx(app: Flask, content: dict) -> None:
    client = app.test_client()
    for event in ("post.publish.failed", "authorization.removed"):
        before = Snapshot(app)
        response = post_tiktok(client, _envelope({"event": event}, content))
        if response.status_code >= 300:
            assert_refused_cleanly(app, before, response, SECRET)


@pytest.fixture
def meta_app(make_app) -> Flask:
    return make_app(META_APP_SECRET=META_SECRET)


def post_meta(app: Flask, payload: dict) -> Any:
    signed = _signed_request(payload)
    return app.test_client().post("/webhooks/meta/data-deletion", data={"signed_request": signed})


def _meta(**overrides: Any) -> dict[str, Any]:
    return {"algorithm": "HMAC-SHA256", "issued_at": int(time.time()), "user_id": "42", **overrides}


@pytest.mark.parametrize(
    "overrides",
    [
        {"algorithm": None},
        {"algorithm": 256},
        {"algorithm": ["HMAC-SHA256"]},
        {"user_id": True},
        {"user_id": ["42"]},
        {"user_id": 4.2},
        {"user_id": "4\ud8002"},
        {"user_id": "4\x002"},
        {"issued_at": "now"},
        {"issued_at": None},
    ],
    ids=repr,
)
def test_odd_meta_fields_are_refused_with_400(meta_app: Flask, overrides: dict) -> None:
    before = Snapshot(meta_app)
    response = post_meta(meta_app, _meta(**overrides))
    assert response.status_code == 400
    assert response.get_json() == {"error": "invalid signed_request"}
    assert_refused_cleanly(meta_app, before, response, META_SECRET)


@pytest.mark.parametrize(
    "issued_at",
    [
        1_500_000_000,  # 2017
        lambda now: now - 8 * 86400,  # older than the 7-day replay window (digests kept 7 days)
        lambda now: now + 3600,  # from the future beyond the 300 s skew
    ],
    ids=["2017", "older_than_window", "future"],
)
def test_a_stale_or_future_meta_request_is_refused(meta_app: Flask, issued_at: Any) -> None:
    now = int(time.time())
    value = issued_at(now) if callable(issued_at) else issued_at
    before = Snapshot(meta_app)
    response = post_meta(meta_app, _meta(issued_at=value))
    assert response.status_code == 400
    assert_refused_cleanly(meta_app, before, response, META_SECRET)


def test_a_fresh_meta_request_within_the_skew_is_accepted(meta_app: Flask) -> None:
    response = post_meta(meta_app, _meta(issued_at=int(time.time()) + 60))
    assert response.status_code == 200
    assert count(meta_app, DeletionRequest) == 1


META_FIELDS = st.sampled_from(["algorithm", "user_id", "issued_at", "x"])


@given(overrides=st.dictionaries(META_FIELDS, values))
@settings(FUZZ, max_examples=100)  # within the callback's 120 per minute
def test_fuzzed_meta_payloads_get_2xx_or_4xx(meta_app: Flask, overrides: dict) -> None:
    before = Snapshot(meta_app)
    response = post_meta(meta_app, _meta(**overrides))
    if response.status_code < 300:
        assert response.get_json()["confirmation_code"].isalnum()
        assert count(meta_app, WebhookDelivery) >= 1
    else:
        assert_refused_cleanly(meta_app, before, response, META_SECRET)


def test_a_lone_surrogate_in_the_upload_api_is_a_clear_400(app: Flask, admin_client) -> None:
    before = Snapshot(app)
    token = csrf_token(admin_client, "/videos/upload")
    response = admin_client.post(
        "/videos/uploads",
        data=json.dumps({"length": 1000, "name": "clip\ud800.mp4"}),
        headers={"X-CSRFToken": token, "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.get_json()["error"]["message"] == SURROGATE_MESSAGE
    before.assert_unchanged()
