"""TikTok room fixtures: every app in these tests talks to the sandbox."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from flask import Flask


@pytest.fixture
def app(sandbox_app: Flask) -> Flask:
    return sandbox_app


@pytest.fixture
def http() -> Iterator[requests.Session]:
    """A plain requests session for the sandbox's control endpoints."""
    with requests.Session() as session:
        session.trust_env = False
        yield session
