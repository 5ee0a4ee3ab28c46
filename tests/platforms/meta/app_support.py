"""The app connected to the sandbox's Meta: configuration, logging in, choosing accounts."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from studio import db
from studio.platforms.models import Account
from studio.sandbox.meta import callbacks
from studio.sandbox.meta.people import ACME_IG, ACME_PAGE, SIDE_PAGE, person
from studio.sandbox.server import SandboxServer
from tests.conftest import AuthActions
from tests.helpers import csrf_token

APP_REDIRECT = "http://localhost/meta/callback"  # PUBLIC_URL of the test apps + the route
VERSION = "v27.0"
__all__ = ["ACME_IG", "ACME_PAGE", "SIDE_PAGE"]


def meta_config(sandbox: SandboxServer) -> dict[str, Any]:
    """The configuration keys that point the app's Meta at the sandbox."""
    cfg = sandbox.meta.state.config
    return {
        "META_APP_ID": cfg.app_id,
        "META_APP_SECRET": cfg.app_secret,
        "META_AUTH_URL": sandbox.meta.auth_url(),
        "META_GRAPH_BASE": sandbox.meta.graph,
        "META_UPLOAD_BASE": sandbox.meta.rupload,
        "META_TIMEOUT": 5.0,
    }


@pytest.fixture
def meta_sandbox() -> Iterator[SandboxServer]:
    """A sandbox whose Meta accepts the test app's callback."""
    with SandboxServer(meta={"redirect_uris": [APP_REDIRECT], "processing_delay": 0.05}) as srv:
        yield srv


@pytest.fixture
def meta_app(make_app, meta_sandbox: SandboxServer) -> Flask:
    """An app with Meta enabled and pointed at the sandbox."""
    return make_app(**meta_config(meta_sandbox))


@pytest.fixture
def meta_admin(meta_app: Flask, users: dict[str, str]) -> FlaskClient:
    """A client of `meta_app` signed in as the admin."""
    client = meta_app.test_client()
    assert AuthActions(meta_app, client).login().status_code == 302
    return client


@pytest.fixture
def fb() -> Iterator[requests.Session]:
    """The person's browser at Facebook's (the sandbox's) login dialog."""
    with requests.Session() as session:
        session.trust_env = False
        yield session


def start(client: FlaskClient) -> str:
    """Press "Connect Meta"; returns the login dialog's URL."""
    token = csrf_token(client, "/meta/")
    started = client.post("/meta/connect", data={"csrf_token": token})
    assert started.status_code == 303, started.data
    return started.headers["Location"]


def dialog(fb: requests.Session, url: str, who: str = "dana", decision: str = "allow") -> str:
    """Submit the login dialog at `url`; returns the callback's path and query."""
    page = fb.get(url, allow_redirects=False, timeout=10)
    assert page.status_code == 200, page.text
    form = dict(parse_qsl(urlsplit(url).query)) | {"person": who, "decision": decision}
    answer = fb.post(url.split("?")[0], data=form, allow_redirects=False, timeout=10)
    assert answer.status_code in (302, 303), answer.text
    callback = urlsplit(answer.headers["Location"])
    assert f"{callback.scheme}://{callback.netloc}{callback.path}" == APP_REDIRECT
    return f"{callback.path}?{callback.query}"


def connect(client: FlaskClient, fb: requests.Session, who: str = "dana"):
    """Log in through the dialog; the callback's answer (303 to the choose page)."""
    return client.get(dialog(fb, start(client), who))


def login_id(answer) -> int:
    """The login's id from the callback's redirect to its choose page."""
    assert answer.status_code == 303, answer.get_data(as_text=True)
    return int(answer.headers["Location"].rstrip("/").split("/")[-2])


def choose(client: FlaskClient, login: int, pages: list[str], igs: list[str]):
    """Submit the choose page."""
    path = f"/meta/{login}/choose"
    token = csrf_token(client, path)
    return client.post(path, data={"csrf_token": token, "pages": pages, "instagram": igs})


def connect_and_choose(client: FlaskClient, fb: requests.Session, who: str = "dana") -> int:
    """Connect `who` and choose every Page they manage and its Instagram account."""
    login = login_id(connect(client, fb, who))
    found = person(who)
    assert found is not None
    pages = [p.id for p in found.pages]
    igs = [p.ig.id for p in found.pages if p.ig is not None]
    assert choose(client, login, pages, igs).status_code == 303
    return login


def rows(app: Flask, platform: str | None = None) -> list[Account]:
    """Every account row (of one platform), detached."""
    with app.app_context():
        stmt = select(Account).order_by(Account.id)
        if platform:
            stmt = stmt.where(Account.platform == platform)
        found = list(db.session.scalars(stmt))
        db.session.expunge_all()
        db.session.commit()
    return found


def signed(sandbox: SandboxServer, who: str, **payload: Any) -> str:
    """A signed_request for `who` as Meta's callbacks carry it (the sandbox's app secret)."""
    found = person(who)
    assert found is not None
    now = int(time.time())
    body = {"algorithm": "HMAC-SHA256", "issued_at": now, "user_id": found.user_id, **payload}
    return callbacks.sign(sandbox.meta.state.config.app_secret, body)


def issued(sandbox: SandboxServer) -> set[str]:
    """Every token and code the sandbox's Meta handed out."""
    state = sandbox.meta.state
    with state.lock:
        return set(state.tokens) | set(state.codes)
