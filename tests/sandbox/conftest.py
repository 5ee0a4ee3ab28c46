"""Fixtures: a live sandbox on loopback, an HTTP session and a tiny receiver server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from studio.sandbox.server import SandboxServer
from tests.sandbox.support import REDIRECT, Receiver, TikTok


@pytest.fixture
def sbx() -> Iterator[SandboxServer]:
    """A sandbox with fast status steps and the test redirect URI registered."""
    with SandboxServer({"redirect_uris": [REDIRECT], "status_step_delay": 0.05}) as server:
        yield server


@pytest.fixture
def http() -> Iterator[requests.Session]:
    """A requests session that ignores proxy environment variables."""
    with requests.Session() as session:
        session.trust_env = False
        yield session


@pytest.fixture
def tt(sbx: SandboxServer, http: requests.Session) -> TikTok:
    """The test client bound to the running sandbox."""
    return TikTok(sbx, http)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A local web server for webhooks and PULL_FROM_URL downloads."""
    server = Receiver()
    yield server
    server.close()
