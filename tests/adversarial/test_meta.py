"""Meta: forged, replayed, stale and malformed deauthorize callbacks; the Meta pages' guards."""

from __future__ import annotations

import base64

import pytest
from flask import Flask
from sqlalchemy import select

from studio import db
from studio.extensions import csrf
from studio.platforms.models import Account, WebhookDelivery
from studio.sandbox.meta import callbacks
from tests.adversarial.conftest import Snapshot, count
from tests.adversarial.test_csrf import EXEMPT
from tests.conftest import STAFF_PASSWORD, AuthActions
from tests.helpers import csrf_token
from tests.platforms.meta.app_support import connect_and_choose, rows, signed

DEAUTH = "/webhooks/meta/deauthorize"


def _post(app: Flask, signed_request: str):
    return app.test_client().post(DEAUTH, data={"signed_request": signed_request})


def _forged(meta_sandbox) -> dict[str, str]:
    secret = meta_sandbox.meta.state.config.app_secret
    good = signed(meta_sandbox, "dana")
    sig, _, payload = good.partition(".")
    return {
        "wrong_secret": callbacks.sign(
            "not-the-secret", {"algorithm": "HMAC-SHA256", "user_id": "1", "issued_at": 1}
        ),
        "alg_none": callbacks.sign(secret, {"algorithm": "none", "user_id": "1", "issued_at": 9e9}),
        "no_user": signed(meta_sandbox, "dana", user_id=""),
        "stale": signed(meta_sandbox, "dana", issued_at=1_000_000_000),
        "future": signed(meta_sandbox, "dana", issued_at=4_000_000_000),
        "payload_swapped": sig + "." + base64.urlsafe_b64encode(b'{"user_id":"2"}').decode(),
        "garbage": "not-even-base64!.###",
        "empty": "",
    }


@pytest.mark.parametrize(
    "case",
    [
        "wrong_secret",
        "alg_none",
        "no_user",
        "stale",
        "future",
        "payload_swapped",
        "garbage",
        "empty",
    ],
)
def test_forged_deauthorize_callbacks_are_refused(meta_app, meta_admin, fb, meta_sandbox, case):
    connect_and_choose(meta_admin, fb)
    before = Snapshot(meta_app)
    answer = _post(meta_app, _forged(meta_sandbox)[case])
    assert answer.status_code == 400
    assert answer.get_json() == {"error": "invalid signed_request"}
    before.assert_unchanged()
    assert all(a.status == "connected" for a in rows(meta_app))


def test_a_replayed_deauthorize_is_acted_on_once(meta_app, meta_admin, fb, meta_sandbox):
    login = connect_and_choose(meta_admin, fb)
    body = signed(meta_sandbox, "dana")
    assert _post(meta_app, body).status_code == 200
    connect_and_choose(meta_admin, fb)  # the person connects again afterwards
    assert _post(meta_app, body).status_code == 200  # Meta's retry, or an attacker's replay
    assert all(a.status == "connected" and a.data_key for a in rows(meta_app))
    with meta_app.app_context():
        (delivery,) = db.session.scalars(select(WebhookDelivery)).all()
        assert delivery.duplicates == 1
        assert db.session.get(Account, login).data_key


def test_a_deauthorize_and_a_deletion_signed_alike_are_not_repeats(
    meta_app, meta_admin, fb, meta_sandbox
):
    connect_and_choose(meta_admin, fb)
    body = signed(meta_sandbox, "dana")  # Meta signs both for the same second identically
    client = meta_app.test_client()
    assert client.post(DEAUTH, data={"signed_request": body}).status_code == 200
    deletion = client.post("/webhooks/meta/data-deletion", data={"signed_request": body})
    assert deletion.status_code == 200
    assert count(meta_app, WebhookDelivery) == 2
    assert rows(meta_app) == []  # the deletion was carried out, not taken for a repeat


def test_every_meta_post_needs_csrf_and_staff_cannot_use_them(meta_app, meta_admin, fb, users):
    login = connect_and_choose(meta_admin, fb)
    exempt = {
        rule.endpoint
        for rule in meta_app.url_map.iter_rules()
        if "{0.__module__}.{0.__name__}".format(meta_app.view_functions[rule.endpoint])
        in csrf._exempt_views
    }
    assert exempt == set(EXEMPT) | {"meta_hooks.deauthorize"}
    staff = meta_app.test_client()
    AuthActions(meta_app, staff).login(users["staff"], STAFF_PASSWORD)
    token = {"csrf_token": csrf_token(staff, "/meta/")}
    before = Snapshot(meta_app)
    posts = ["/meta/connect", f"/meta/{login}/choose", f"/meta/{login}/disconnect"]
    for url in posts:
        answer = meta_admin.post(url, data={"pages": ["104000000000002"]})
        assert answer.status_code == 400, url
    for url in posts + [f"/meta/{login}/choose", "/meta/callback?state=x&code=y"]:
        answer = staff.post(url, data=token) if url in posts else staff.get(url)
        assert answer.status_code == 403, url
    for bad in (0, 2**31, 2**63, 10**26):
        assert meta_admin.get(f"/meta/{bad}/choose").status_code == 404
    before.assert_unchanged()
