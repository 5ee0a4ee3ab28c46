"""The app connected to the sandbox's Google: configuration, and connecting through the page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from studio import db
from studio.sandbox.server import SandboxServer
from tests.conftest import AuthActions
from tests.helpers import csrf_token
from tests.platforms.youtube.support import SCOPE_LIST
from tests.sandbox.youtube.support import CLIENT_ID, CLIENT_SECRET

APP_REDIRECT = "http://localhost/youtube/callback"  # PUBLIC_URL of the test apps + the route
BRAND_ID = "UCsbxAcmeStudio000000001"
SECOND_ID = "UCsbxAcmeLabs00000000002"


def youtube_config(sandbox: SandboxServer) -> dict[str, Any]:
    """The configuration keys that point the app's YouTube at the sandbox."""
    base = f"{sandbox.url}/google"
    return {
        "YOUTUBE_CLIENT_ID": CLIENT_ID,
        "YOUTUBE_CLIENT_SECRET": CLIENT_SECRET,
        "GOOGLE_AUTH_URL": f"{base}/o/oauth2/v2/auth",
        "GOOGLE_TOKEN_URL": f"{base}/token",
        "GOOGLE_REVOKE_URL": f"{base}/revoke",
        "YOUTUBE_API_BASE": base,
        "YOUTUBE_TIMEOUT": 5.0,
    }


@pytest.fixture
def yt_sandbox() -> Iterator[SandboxServer]:
    """A sandbox whose Google accepts the test app's callback."""
    youtube = {"redirect_uris": [APP_REDIRECT], "processing_step_delay": 0.05}
    with SandboxServer(youtube=youtube) as server:
        yield server


@pytest.fixture
def yt_app(make_app, yt_sandbox: SandboxServer) -> Flask:
    """An app with YouTube enabled and pointed at the sandbox (same database as `app`)."""
    return make_app(**youtube_config(yt_sandbox))


@pytest.fixture
def yt_admin(yt_app: Flask, users: dict[str, str]) -> FlaskClient:
    """A client of `yt_app` signed in as the admin."""
    client = yt_app.test_client()
    assert AuthActions(yt_app, client).login().status_code == 302
    return client


@pytest.fixture
def browser() -> Iterator[requests.Session]:
    """The person's browser at Google's (the sandbox's) consent page."""
    with requests.Session() as session:
        session.trust_env = False
        yield session


def start(client: FlaskClient) -> str:
    """Press "Connect YouTube"; returns Google's consent URL."""
    token = csrf_token(client, "/youtube/")
    started = client.post("/youtube/connect", data={"csrf_token": token})
    assert started.status_code == 303, started.data
    return started.headers["Location"]


def consent(
    browser: requests.Session,
    url: str,
    channel: str = "brand",
    granted: list[str] | None = None,
    decision: str = "allow",
) -> str:
    """Open the consent page at `url` and submit it; returns the callback's path and query."""
    page = browser.get(url, allow_redirects=False, timeout=10)
    assert page.status_code == 200, page.text
    form: dict[str, Any] = dict(parse_qsl(urlsplit(url).query))
    form |= {"decision": decision, "channel": channel, "granted": granted or SCOPE_LIST}
    answer = browser.post(url.split("?")[0], data=form, allow_redirects=False, timeout=10)
    assert answer.status_code in (302, 303), answer.text
    callback = urlsplit(answer.headers["Location"])
    assert f"{callback.scheme}://{callback.netloc}{callback.path}" == APP_REDIRECT
    return f"{callback.path}?{callback.query}"


def connect_youtube(
    client: FlaskClient, browser: requests.Session, channel: str = "brand", **kwargs: Any
):
    """The whole flow; a second consent round (prompt=consent) is followed. The last answer."""
    answer = client.get(consent(browser, start(client), channel, **kwargs))
    if answer.status_code == 303 and "/google/o/oauth2/" in answer.headers["Location"]:
        answer = client.get(consent(browser, answer.headers["Location"], channel, **kwargs))
    return answer


def query(url: str) -> dict[str, str]:
    """The query of `url` as a dict."""
    return dict(parse_qsl(urlsplit(url).query))


def stored_text(app: Flask) -> str:
    """Every row of every table, as text (what a database dump would show)."""
    with app.app_context():
        out = [
            repr(row)
            for table in db.Base.metadata.sorted_tables
            for row in db.session.execute(select(table)).all()
        ]
        db.session.commit()
    return "\n".join(out)


def issued_tokens(sandbox: SandboxServer) -> set[str]:
    """Every access and refresh token and code the sandbox's Google handed out."""
    state = sandbox.youtube
    with state.lock:
        return set(state.access) | set(state.refresh) | set(state.codes)
