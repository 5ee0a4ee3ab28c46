"""Notify fixtures: an app on the sandbox (as the posts tests use), and the outbox's messages."""

from __future__ import annotations

import email
from email.message import Message

from flask import Flask

from studio.privacy import mail
from tests.posts.conftest import account, app, video  # noqa: F401  the posts room's fixtures


def outbox(flask_app: Flask) -> list[Message]:
    """Every message in the outbox, oldest first."""
    with flask_app.app_context():
        folder = mail.outbox_path()
    if not folder.exists():
        return []
    return [email.message_from_bytes(p.read_bytes()) for p in sorted(folder.glob("*.eml"))]
