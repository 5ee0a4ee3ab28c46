"""Fixtures: one sandbox serving TikTok, Google and Meta, an app with metrics on, accounts."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from studio import db
from studio.platforms.models import Account, DeliveryStatus
from studio.sandbox.server import SandboxServer
from tests.conftest import SANDBOX_REDIRECT_URIS, AuthActions, connect_tiktok
from tests.helpers import add_post
from tests.platforms.meta.app_support import APP_REDIRECT as META_REDIRECT
from tests.platforms.meta.app_support import connect_and_choose, meta_config
from tests.platforms.youtube.app_support import APP_REDIRECT, connect_youtube, youtube_config


@pytest.fixture
def msbx() -> Iterator[SandboxServer]:
    """TikTok, Google and Meta in one sandbox, each accepting the test app's callbacks."""
    tiktok = {"redirect_uris": list(SANDBOX_REDIRECT_URIS), "status_step_delay": 0.05}
    meta = {"redirect_uris": [META_REDIRECT], "processing_delay": 0.05}
    with SandboxServer(tiktok, youtube={"redirect_uris": [APP_REDIRECT]}, meta=meta) as server:
        yield server


@pytest.fixture
def mapp(make_app, msbx: SandboxServer) -> Flask:
    """An app with metrics on, TikTok, YouTube and Meta pointed at the sandbox."""
    return make_app(
        METRICS_ENABLED=True,
        TIKTOK_AUTH_URL=msbx.url + "/v2/auth/authorize/",
        TIKTOK_API_BASE=msbx.url,
        **youtube_config(msbx),
        **meta_config(msbx),
    )


@pytest.fixture
def madmin(mapp: Flask, users: dict[str, str]) -> FlaskClient:
    """The admin, signed in to `mapp`."""
    client = mapp.test_client()
    assert AuthActions(mapp, client).login().status_code == 302
    return client


@pytest.fixture
def http() -> Iterator[requests.Session]:
    """Plain HTTP to the sandbox's control endpoints."""
    with requests.Session() as session:
        session.trust_env = False
        yield session


@pytest.fixture
def tiktok_account(mapp: Flask, madmin: FlaskClient, msbx: SandboxServer) -> int:
    """The "acme" creator connected through the real flow, metrics scopes granted."""
    assert connect_tiktok(madmin, msbx).status_code == 302
    return _newest(mapp, "tiktok")


@pytest.fixture
def youtube_account(mapp: Flask, madmin: FlaskClient, http: requests.Session) -> int:
    """The "brand" channel connected through the real flow."""
    assert connect_youtube(madmin, http).status_code in (302, 303)
    return _newest(mapp, "youtube")


@pytest.fixture
def meta_accounts(mapp: Flask, madmin: FlaskClient, http: requests.Session) -> dict[str, int]:
    """Dana's Meta login with her two Pages and the Instagram account chosen: id by remote id."""
    connect_and_choose(madmin, http)
    with mapp.app_context():
        query = select(Account.remote_id, Account.id).where(
            Account.platform.in_(("facebook", "instagram"))
        )
        return {str(remote): int(i) for remote, i in db.session.execute(query).all()}


def _newest(app: Flask, platform: str) -> int:
    with app.app_context():
        query = select(Account.id).where(Account.platform == platform).order_by(Account.id.desc())
        return int(db.session.scalars(query).first() or 0)


@pytest.fixture
def publish(mapp: Flask, make_stored_video) -> Callable[..., list[int]]:
    """`publish(account_id, remote_ids)`: one published post per video id; their post ids."""

    def factory(account_id: int, remote_ids: list[str], **fields: Any) -> list[int]:
        with mapp.app_context():
            video = make_stored_video()
            posts = []
            for remote_id in remote_ids:
                post = add_post(account_id, video.id, caption=f"Video {remote_id}")
                delivery = post.deliveries[0]
                delivery.status = DeliveryStatus.PUBLISHED
                delivery.remote_post_ids = [remote_id]
                for key, value in fields.items():
                    setattr(delivery, key, value)
                posts.append(post.id)
            db.session.commit()
            return posts

    return factory


def control(http: requests.Session, sbx: SandboxServer, path: str, body: dict) -> Any:
    """POST to a sandbox control endpoint; the JSON answer."""
    answer = http.post(f"{sbx.url}/_sandbox/{path}", json=body, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()


def counters(http: requests.Session, sbx: SandboxServer, path: str = "state") -> dict[str, int]:
    """The sandbox's counters (TikTok's, or Google's with path "youtube/state")."""
    return http.get(f"{sbx.url}/_sandbox/{path}", timeout=10).json()["counters"]
