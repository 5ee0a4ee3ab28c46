"""A YouTube channel's owner asks about their data: they prove it by signing in with Google."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from studio import db
from studio.platforms.models import Account, AccountStatus
from studio.posts.models import Post
from studio.privacy.models import DeletionRequest, RequestStatus
from studio.sandbox.server import SandboxServer
from studio.videos.models import Video
from tests.conftest import AuthActions
from tests.helpers import add_post, csrf_token
from tests.platforms.youtube.app_support import (
    APP_REDIRECT,
    BRAND_ID,
    connect_youtube,
    issued_tokens,
    stored_text,
    youtube_config,
)
from tests.privacy.conftest import LOOSE_LIMITS, delete_now, file_request

VERIFY_REDIRECT = "http://localhost/privacy/verify/callback"  # the same for every platform
READONLY = "https://www.googleapis.com/auth/youtube.readonly"


@pytest.fixture
def google() -> Iterator[SandboxServer]:
    """A sandbox whose Google accepts the channel's connection and the owners' sign-in."""
    youtube = {"redirect_uris": [APP_REDIRECT, VERIFY_REDIRECT], "processing_step_delay": 0.05}
    with SandboxServer(youtube=youtube) as server:
        yield server


@pytest.fixture
def owner_app(make_app, google: SandboxServer) -> Flask:
    return make_app(**youtube_config(google), **LOOSE_LIMITS)


@pytest.fixture
def channel(owner_app: Flask, users: dict[str, str], browser: requests.Session) -> Account:
    """The company's channel ("Acme Studio", @acmestudio), connected by the admin."""
    admin = owner_app.test_client()
    assert AuthActions(owner_app, admin).login().status_code == 302
    assert connect_youtube(admin, browser).status_code in (302, 303)
    with owner_app.app_context():
        account = db.session.scalar(select(Account).where(Account.remote_id == BRAND_ID))
        db.session.expunge(account)
    return account


def google_answer(
    client: FlaskClient,
    browser: requests.Session,
    who: str = "brand",
    start_url: str = "/data-deletion/verify",
    **form: str,
) -> str:
    """Press the verify (or revoke) button and sign in at the sandbox's Google as `who`,
    granting what is asked; returns Google's answer (our callback's path and query)."""
    token = csrf_token(client, "/data-deletion")
    started = client.post(start_url, data={"csrf_token": token, **form})
    assert started.status_code == 303, started.get_data(as_text=True)
    url = started.headers["Location"]
    asked: dict[str, Any] = dict(parse_qsl(urlsplit(url).query))
    assert asked["scope"] == READONLY  # to see the channel, nothing more
    page = browser.get(url, allow_redirects=False, timeout=10)
    assert page.status_code == 200, page.text
    answer = browser.post(
        url.split("?")[0],
        data={**asked, "decision": "allow", "channel": who, "granted": [READONLY]},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code in (302, 303), answer.text
    callback = urlsplit(answer.headers["Location"])
    assert f"{callback.scheme}://{callback.netloc}{callback.path}" == VERIFY_REDIRECT
    return f"{callback.path}?{callback.query}"


def sign_in_with_google(
    client: FlaskClient, browser: requests.Session, who: str = "brand", **kwargs: str
):
    """Sign in with Google (see `google_answer`) and follow the answer back to the app."""
    return client.get(google_answer(client, browser, who, **kwargs))


def _request(app: Flask) -> DeletionRequest:
    with app.app_context():
        req = db.session.scalar(select(DeletionRequest).order_by(DeletionRequest.id.desc()))
        db.session.expunge(req)
        return req


def _account(app: Flask, account_id: int) -> Account | None:
    with app.app_context():
        account = db.session.get(Account, account_id)
        if account is not None:
            db.session.expunge(account)
        return account


def _grants(sandbox: SandboxServer) -> list[Any]:
    state = sandbox.youtube
    with state.lock:
        return list(state.grants.values())


def test_the_form_offers_youtube_channels_only_when_youtube_is_configured(owner_app, app):
    assert "A YouTube channel that was connected" in owner_app.test_client().get(
        "/data-deletion"
    ).get_data(as_text=True)
    client = app.test_client()  # no YouTube configured
    assert "YouTube" not in client.get("/data-deletion").get_data(as_text=True)
    token = csrf_token(client, "/data-deletion")
    answer = client.post(
        "/data-deletion", data={"csrf_token": token, "kind": "youtube", "name": "Acme Studio"}
    )
    assert answer.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(DeletionRequest)) is None


def test_channel_owner_deletion_end_to_end(owner_app, channel, browser, google, make_stored_video):
    video = make_stored_video()
    with owner_app.app_context():
        add_post(channel.id, video.id, caption="Kettle, as a Short")
    client = owner_app.test_client()
    code, page = file_request(client, kind="youtube", name="Acme Studio")
    assert "Verify with Google" in page and 'id="verify-youtube"' in page
    answer = sign_in_with_google(client, browser)
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/verified")
    req = _request(owner_app)
    assert req.status == RequestStatus.VERIFIED and req.account_id == channel.id
    copy = client.get("/data-deletion/export")
    assert copy.status_code == 200
    data = copy.get_json()
    assert data["youtube_account"]["remote_id"] == BRAND_ID
    assert data["youtube_account"]["display_name"] == "Acme Studio"
    assert "tokens" in data["youtube_account"] and "ya29" not in copy.get_data(as_text=True)
    assert [p["caption"] for p in data["posts"]] == ["Kettle, as a Short"]
    assert delete_now(client).status_code == 303
    req = _request(owner_app)
    assert req.status == RequestStatus.COMPLETED
    receipt = json.loads(req.receipt)
    assert receipt["erased"]["youtube_tokens"] == 2 and receipt["erased"]["youtube_profile"] == 1
    assert receipt["erased"]["data_key"] == 1 and receipt["erased"]["audit_payloads"] > 0
    assert receipt["erased"]["posts"] == 1 and receipt["erased"]["videos"] == 1
    assert _account(owner_app, channel.id) is None
    with owner_app.app_context():
        assert db.session.scalar(select(func.count(Post.id))) == 0
        assert db.session.scalar(select(func.count(Video.id))) == 0
    assert all(grant.revoked for grant in _grants(google))  # the channel's and the sign-in's
    status = client.get(f"/data-deletion/status/{code}").get_data(as_text=True)
    assert "YouTube channel (channel ID, title, handle, picture)" in status
    assert "Google access and refresh tokens (revoked at Google, then erased)" in status
    dump = stored_text(owner_app)
    assert BRAND_ID not in dump and "acmestudio" not in dump and "Kettle" not in dump
    assert not any(token in dump for token in issued_tokens(google))


def test_the_handle_names_the_channel_too_and_another_channel_is_refused(
    owner_app, channel, browser
):
    client = owner_app.test_client()
    file_request(client, kind="youtube", name="@AcmeStudio")
    refused = sign_in_with_google(client, browser, who="second")
    assert refused.status_code == 403
    page = refused.get_data(as_text=True)
    assert "The YouTube channel you signed in with is not the account named" in page
    assert "Acme Labs" not in page and BRAND_ID not in page
    assert _request(owner_app).status == RequestStatus.RECEIVED
    assert _account(owner_app, channel.id).status == AccountStatus.CONNECTED
    client = owner_app.test_client()
    file_request(client, kind="youtube", name="@AcmeStudio")
    assert sign_in_with_google(client, browser).status_code == 303
    assert _request(owner_app).status == RequestStatus.VERIFIED


def test_a_copy_request_keeps_the_channel_connected(owner_app, channel, browser, google):
    client = owner_app.test_client()
    file_request(client, kind="youtube", name="Acme Studio", request_type="copy")
    assert sign_in_with_google(client, browser).status_code == 303
    data = client.get("/data-deletion/export").get_json()
    assert data["youtube_account"]["remote_id"] == BRAND_ID
    # Revoking the sign-in at Google would end the channel's whole authorization: spared.
    assert not any(grant.revoked for grant in _grants(google))
    account = _account(owner_app, channel.id)
    assert account is not None and account.status == AccountStatus.CONNECTED


def test_the_owner_revokes_the_channels_access(owner_app, channel, browser, google):
    client = owner_app.test_client()
    page = client.get("/revoke").get_data(as_text=True)
    assert "myaccount.google.com/permissions" in page and 'id="revoke-now-youtube"' in page
    answer = sign_in_with_google(client, browser, start_url="/revoke", kind="youtube")
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/revoke/done")
    page = client.get("/revoke/done").get_data(as_text=True)
    assert "Access revoked" in page and "YouTube channel" in page and "Acme" not in page
    account = _account(owner_app, channel.id)
    assert account.status == AccountStatus.DISCONNECTED
    assert account.access_token_enc is None and account.refresh_token_enc is None
    assert all(grant.revoked for grant in _grants(google))


def test_a_channel_never_connected_has_nothing_to_revoke_and_the_sign_in_ends(
    owner_app, channel, browser, google
):
    client = owner_app.test_client()
    sign_in_with_google(client, browser, who="second", start_url="/revoke", kind="youtube")
    page = client.get("/revoke/done").get_data(as_text=True)
    assert "never connected" in page and "Access revoked" not in page
    revoked = [g for g in _grants(google) if g.revoked]
    assert len(revoked) == 1 and revoked[0].channel == "second"  # the sign-in's grant only
    assert _account(owner_app, channel.id).status == AccountStatus.CONNECTED
