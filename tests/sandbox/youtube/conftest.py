"""Fixtures: a live sandbox whose YouTube side accepts the test redirect URI."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from studio.sandbox.server import SandboxServer
from tests.sandbox.youtube.support import REDIRECT, Google


@pytest.fixture
def ysbx() -> Iterator[SandboxServer]:
    """A sandbox with fast processing steps."""
    youtube = {"redirect_uris": [REDIRECT], "processing_step_delay": 0.05}
    with SandboxServer(youtube=youtube) as server:
        yield server


@pytest.fixture
def yt(ysbx: SandboxServer, http: requests.Session) -> Google:
    """The test client bound to the running sandbox."""
    return Google(ysbx, http)
