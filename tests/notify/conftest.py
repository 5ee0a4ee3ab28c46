"""Notify fixtures: an app on the sandbox (as the posts tests use), and the outbox's messages."""

from __future__ import annotations

import email
from email.message import Message
from typing import Any

import pytest
from flask import Flask

from studio.privacy import mail
from tests.posts.conftest import FAST


@pytest.fixture
def app(sandbox_app: Flask) -> Flask:
    """The posts tests' app: the sandbox, quick retries."""
    sandbox_app.config.update(FAST)
    return sandbox_app


@pytest.fixture
def account(connected_account: Any) -> Any:
    return connected_account


@pytest.fixture
def video(make_stored_video: Any) -> Any:
    return make_stored_video()


def outbox(flask_app: Flask) -> list[Message]:
    """Every message in the outbox, oldest first."""
    with flask_app.app_context():
        folder = mail.outbox_path()
    if not folder.exists():
        return []
    return [email.message_from_bytes(p.read_bytes()) for p in sorted(folder.glob("*.eml"))]
