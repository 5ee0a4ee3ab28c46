"""Fixtures: a live sandbox (TikTok + Meta) on loopback and the Meta test client."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from studio.sandbox.server import SandboxServer
from tests.sandbox.meta.support import REDIRECT, Meta


@pytest.fixture
def sbx() -> Iterator[SandboxServer]:
    """A sandbox with the test redirect URI registered and fast processing."""
    meta = {"redirect_uris": [REDIRECT], "processing_delay": 0.05}
    with SandboxServer(meta=meta) as server:
        yield server


@pytest.fixture
def meta(sbx: SandboxServer, http: requests.Session) -> Meta:
    """The Meta test client bound to the running sandbox."""
    return Meta(sbx, http)
