"""Fixtures: the sandbox's own, the client bound to it, and every exchange it reported."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from studio.platforms.youtube.client import YouTubeClient
from studio.sandbox.server import SandboxServer
from studio.transport import Exchange
from tests.platforms.youtube.app_support import (  # noqa: F401 - the app's fixtures
    browser,
    yt_admin,
    yt_app,
    yt_sandbox,
)
from tests.platforms.youtube.send_support import send_app, yt_channel  # noqa: F401
from tests.sandbox.conftest import http  # noqa: F401 - shared fixture
from tests.sandbox.youtube.conftest import ysbx, yt  # noqa: F401 - shared fixtures
from tests.sandbox.youtube.support import CLIENT_ID, CLIENT_SECRET

TOKEN_IN_URL = re.compile(r"ya29\.|1//0|access_token|refresh_token|[?&](token|key)=", re.I)


@pytest.fixture
def seen() -> Iterator[list[Exchange]]:
    """What the client's hook received; after the test, no URL in it may hold a token."""
    exchanges: list[Exchange] = []
    yield exchanges
    for exchange in exchanges:
        assert not TOKEN_IN_URL.search(exchange.url), exchange.url


@pytest.fixture
def client(ysbx: SandboxServer, seen: list[Exchange]) -> Iterator[YouTubeClient]:  # noqa: F811
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
