"""A channel owner's sign-in with Google: answers carried to another browser, replayed,
from an account without a channel, and sign-ins at platforms that are not offered."""

from __future__ import annotations

import pytest
import requests
from flask import Flask

from studio.privacy.models import RequestStatus
from tests.adversarial.conftest import VOLATILE, Snapshot
from tests.helpers import csrf_token
from tests.platforms.youtube.app_support import browser  # noqa: F401 - a fixture
from tests.privacy.conftest import file_request
from tests.privacy.test_youtube import (  # noqa: F401 - fixtures
    _request,
    channel,
    google,
    google_answer,
    owner_app,
)

IGNORED = VOLATILE | {"oauth_flows", "quota_usage"}


def test_an_answer_carried_to_another_browser_verifies_nothing(
    owner_app: Flask,  # noqa: F811
    channel,  # noqa: F811
    browser: requests.Session,  # noqa: F811
) -> None:
    attacker = owner_app.test_client()
    file_request(attacker, kind="youtube", name="Acme Labs")
    answer = google_answer(attacker, browser, who="second")  # the attacker's own channel
    victim = owner_app.test_client()
    file_request(victim, kind="youtube", name="Acme Studio")
    before = Snapshot(owner_app, ignore=IGNORED)
    refused = victim.get(answer)
    assert refused.status_code == 400
    assert b"does not belong to a sign-in started in this browser session" in refused.data
    before.assert_unchanged()
    assert _request(owner_app).status == RequestStatus.RECEIVED
    assert victim.get("/data-deletion/verified").status_code == 403


def test_a_used_answer_is_refused_the_second_time(
    owner_app: Flask,  # noqa: F811
    channel,  # noqa: F811
    browser: requests.Session,  # noqa: F811
) -> None:
    client = owner_app.test_client()
    file_request(client, kind="youtube", name="Acme Studio", request_type="copy")
    answer = google_answer(client, browser)
    assert client.get(answer).status_code == 303
    before = Snapshot(owner_app, ignore=IGNORED)
    again = client.get(answer)
    assert again.status_code == 400
    assert b"does not belong to a sign-in started in this browser session" in again.data
    before.assert_unchanged()


def test_a_google_account_without_a_channel_proves_nothing(
    owner_app: Flask,  # noqa: F811
    channel,  # noqa: F811
    browser: requests.Session,  # noqa: F811
) -> None:
    client = owner_app.test_client()
    file_request(client, kind="youtube", name="No Channel")
    answer = google_answer(client, browser, who="nochannel")
    before = Snapshot(owner_app, ignore=IGNORED)
    refused = client.get(answer)
    assert refused.status_code == 400
    assert b"has no YouTube channel. Nothing was changed" in refused.data
    before.assert_unchanged()
    assert client.get("/data-deletion/verified").status_code == 403


@pytest.mark.parametrize("kind", ["youtube", "meta", "email", "x" * 17, "../tiktok"])
def test_a_sign_in_is_only_offered_where_it_exists(app: Flask, kind: str) -> None:
    client = app.test_client()  # YouTube not configured; Meta and e-mail have no sign-in
    before = Snapshot(app, ignore=IGNORED)
    token = csrf_token(client, "/revoke")
    answer = client.post("/revoke", data={"csrf_token": token, "kind": kind})
    assert answer.status_code == 400
    if len(kind) <= 16:
        assert b"This request cannot be verified by signing in." in answer.data
    before.assert_unchanged()
