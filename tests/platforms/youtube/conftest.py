"""Fixtures: a live sandbox, the YouTube client bound to it, and every exchange it reported."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import requests

from studio.platforms.youtube.client import YouTubeClient
from studio.sandbox.server import SandboxServer
from studio.transport import Exchange
from tests.sandbox.youtube.support import CLIENT_ID, CLIENT_SECRET, REDIRECT, Google

TOKEN_IN_URL = re.compile(r"ya29\.|1//0|access_token|refresh_token|[?&](token|key)=", re.I)


@pytest.fixture
def ysbx() -> Iterator[SandboxServer]:
    """A sandbox with fast processing steps."""
    youtube = {"redirect_uris": [REDIRECT], "processing_step_delay": 0.05}
    with SandboxServer(youtube=youtube) as server:
        yield server


@pytest.fixture
def http() -> Iterator[requests.Session]:
    """A plain session for the sandbox's pages and control endpoints."""
    with requests.Session() as session:
        session.trust_env = False
        yield session


@pytest.fixture
def yt(ysbx: SandboxServer, http: requests.Session) -> Google:
    """The sandbox's test helper (control endpoints, raw calls)."""
    return Google(ysbx, http)


@pytest.fixture
def seen() -> Iterator[list[Exchange]]:
    """What the client's hook received; after the test, no URL in it may hold a token."""
    exchanges: list[Exchange] = []
    yield exchanges
    for exchange in exchanges:
        assert not TOKEN_IN_URL.search(exchange.url), exchange.url


@pytest.fixture
def client(ysbx: SandboxServer, seen: list[Exchange]) -> Iterator[YouTubeClient]:
    """The client pointed at the sandbox, reporting to `seen`."""
    base = f"{ysbx.url}/google"
    with YouTubeClient(
        CLIENT_ID,
        CLIENT_SECRET,
        f"{base}/o/oauth2/v2/auth",
        f"{base}/token",
        f"{base}/revoke",
        base,
        10,
        seen.append,
    ) as yc:
        yc.transport.http.trust_env = False
        yield yc
