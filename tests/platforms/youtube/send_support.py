"""Posts to a connected YouTube channel, sent by the real send job against the sandbox."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from studio import db
from studio.platforms.models import Account, Delivery, DeliveryStatus, Mode
from studio.posts.models import Post
from studio.sandbox.server import SandboxServer
from studio.videos.storage import video_path
from tests.platforms.youtube.app_support import connect_youtube
from tests.posts.conftest import FAST
from tests.workers import big_video

UNIT = 256 * 1024
CHUNK = 2 * UNIT  # small chunks: a 1.3 MB file goes in three PUTs
SIZE = 5 * UNIT + 12_345  # the last chunk is short
OPTIONS: dict[str, Any] = {
    "privacy_status": "unlisted",
    "made_for_kids": False,
    "category_id": "22",
    "title": "",
    "tags": ["kettle", "kitchen design"],
    "notify_subscribers": False,
    "paid_product_placement": False,
}


@pytest.fixture
def send_app(yt_app: Flask) -> Flask:
    """The YouTube app with quick retries and polls and small upload chunks."""
    yt_app.config.update(FAST, YOUTUBE_CHUNK_SIZE=CHUNK)
    return yt_app


@pytest.fixture
def yt_channel(send_app: Flask, yt_admin: FlaskClient, browser: Any) -> int:
    """The "brand" channel connected through the YouTube page; its account id."""
    assert connect_youtube(yt_admin, browser).status_code == 303
    with send_app.app_context():
        return db.session.scalars(select(Account.id).where(Account.platform == "youtube")).one()


def youtube_post(
    app: Flask,
    account_id: int,
    size: int = SIZE,
    caption: str = "Our new kettle\nBoils in 90 seconds.",
    hashtags: list[str] | None = None,
    is_aigc: bool = False,
    **options: Any,
) -> int:
    """A consented post of a fresh random video with one delivery to the YouTube channel."""
    video = big_video(app, size)
    with app.app_context():
        post = Post(
            idempotency_key=secrets.token_hex(16),
            video_id=video.id,
            caption=caption,
            hashtags=hashtags if hashtags is not None else ["#kettle"],
            is_aigc=is_aigc,
            consent_text="I confirm the company may publish this video.",
            deliveries=[
                Delivery(
                    account_id=account_id,
                    platform="youtube",
                    mode=Mode.DIRECT,
                    options={**OPTIONS, **options},
                    video_size=video.size_bytes,
                    status=DeliveryStatus.QUEUED,
                )
            ],
        )
        db.session.add(post)
        db.session.commit()
        return post.id


def file_sha256(app: Flask, post_id: int) -> str:
    """The SHA-256 of the post's video file."""
    with app.app_context():
        path = video_path(db.session.get(Post, post_id).video)
        return hashlib.sha256(path.read_bytes()).hexdigest()


def videos(sandbox: SandboxServer) -> list[dict[str, Any]]:
    """Every video the sandbox's YouTube holds."""
    return list(sandbox.youtube.summary()["videos"].values())


def counters(sandbox: SandboxServer) -> dict[str, int]:
    """The YouTube sandbox's counters."""
    return sandbox.youtube.summary()["counters"]


def session_secrets(sandbox: SandboxServer) -> list[str]:
    """Every upload session id the sandbox handed out (the capability in the session URI)."""
    with sandbox.youtube.lock:
        return list(sandbox.youtube.sessions)
