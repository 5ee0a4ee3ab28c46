"""Fixtures: the Meta sandbox's own, the client bound to it, and every exchange it reported."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest

from studio.platforms.meta.client import MetaClient
from studio.sandbox.server import SandboxServer
from studio.transport import Exchange
from tests.platforms.meta.app_support import (  # noqa: F401 - the app's fixtures
    fb,
    meta_admin,
    meta_app,
    meta_sandbox,
)
from tests.platforms.meta.support import VERSION, leaked_tokens
from tests.sandbox.conftest import http  # noqa: F401 - shared fixture
from tests.sandbox.meta.conftest import meta, sbx  # noqa: F401 - shared fixtures


@pytest.fixture
def seen(sbx: SandboxServer) -> Iterator[list[Exchange]]:  # noqa: F811
    """What the client's hook received; after the test, no URL in it may hold a token."""
    exchanges: list[Exchange] = []
    yield exchanges
    for exchange in exchanges:
        assert "access_token" not in parse_qs(urlsplit(exchange.url).query), exchange.url
    assert leaked_tokens(sbx, [e.url for e in exchanges]) == []


@pytest.fixture
def client(sbx: SandboxServer, seen: list[Exchange]) -> Iterator[MetaClient]:  # noqa: F811
    """The client pointed at the sandbox, reporting to `seen`."""
    cfg = sbx.meta.state.config
    with MetaClient(
        cfg.app_id,
        cfg.app_secret,
        VERSION,
        sbx.meta.auth_url(),
        sbx.meta.graph,
        sbx.meta.rupload,
        10,
        seen.append,
    ) as mc:
        mc.transport.http.trust_env = False
        yield mc
