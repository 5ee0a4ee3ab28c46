"""Fixtures: an app publishing to the Meta sandbox, Dana's accounts seeded, a small Reel."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from studio.sandbox.server import SandboxServer
from tests.conftest import AuthActions
from tests.platforms.meta.sending.support import REDIRECT, meta_config, seed_accounts

FAST = {
    "POSTS_RETRY_BASE": 0.01,
    "POSTS_RETRY_CAP": 0.05,
    "POSTS_POLL_BASE": 0.02,
    "POSTS_POLL_CAP": 0.1,
    "POSTS_LEASE_SECONDS": 5,
}


@pytest.fixture
def app(make_sandbox_app: Callable[..., Flask], sandbox: SandboxServer) -> Flask:
    """The app on the sandbox (TikTok and Meta); Meta processes quickly."""
    sandbox.meta.configure(processing_delay=0.05, redirect_uris=[REDIRECT])
    return make_sandbox_app(**meta_config(sandbox), **FAST)


@pytest.fixture
def client(app: Flask, users: dict[str, str]) -> FlaskClient:
    """A Flask test client signed in as the admin."""
    test_client = app.test_client()
    assert AuthActions(app, test_client).login().status_code == 302
    return test_client


@pytest.fixture
def accounts(app: Flask, sandbox: SandboxServer) -> dict[str, int]:
    """Account ids of Dana's login, Page ("facebook") and Instagram account."""
    return seed_accounts(app, sandbox)


@pytest.fixture
def reel(make_stored_video: Any) -> Any:
    """A 3 s, 540×960, 30 fps MP4: inside both Reels specs."""
    return make_stored_video()
