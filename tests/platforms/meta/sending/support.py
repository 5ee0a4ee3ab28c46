"""Meta publishing test helpers: accounts seeded as the connect flow stores them, posts, runs."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

import requests
from flask import Flask

from studio import db, vault
from studio.db import utcnow
from studio.platforms.meta.results import UserToken
from studio.platforms.meta.tokens import store_page_token, store_user_token
from studio.platforms.models import Account, AccountStatus, Delivery, DeliveryStatus, Mode, Source
from studio.posts import tasks
from studio.posts.models import Post
from studio.sandbox.server import SandboxServer
from studio.videos.models import Video
from studio.videos.storage import video_path
from tests.helpers import delivery_of
from tests.sandbox.meta.support import IG_ID, PAGE_ID, REDIRECT, Meta

__all__ = ["IG_ID", "PAGE_ID", "REDIRECT"]
DANA = "10200000000000001"


def meta_config(sandbox: SandboxServer) -> dict[str, Any]:
    """The app's Meta keys pointed at the sandbox."""
    cfg = sandbox.meta.state.config
    return {
        "META_APP_ID": cfg.app_id,
        "META_APP_SECRET": cfg.app_secret,
        "META_GRAPH_VERSION": "v27.0",
        "META_AUTH_URL": sandbox.meta.auth_url(),
        "META_GRAPH_BASE": sandbox.meta.graph,
        "META_UPLOAD_BASE": sandbox.meta.rupload,
        "META_TIMEOUT": 10.0,
    }


def seed_accounts(app: Flask, sandbox: SandboxServer) -> dict[str, int]:
    """Dana's login (long-lived user token), her Page (Page token) and Instagram account, as
    the connect flow stores them (tokens from the sandbox's real exchanges)."""
    with requests.Session() as http:
        http.trust_env = False
        meta = Meta(sandbox, http)
        user = meta.long_token("dana")
        page = meta.page_token(user)
    with app.app_context():
        now = utcnow()
        login = Account(platform="meta", remote_id=DANA, display_name="Dana", scopes="")
        store_user_token(login, UserToken(user, "bearer", 5183944), now)
        db.session.add(login)
        db.session.flush()
        fb = Account(
            platform="facebook", remote_id=PAGE_ID, display_name="Acme Studio", parent_id=login.id
        )
        store_page_token(fb, page, now)
        ig = Account(
            platform="instagram",
            remote_id=IG_ID,
            display_name="Acme Studio",
            handle="@acme.studio",
            parent_id=login.id,
            data_key=vault.new_data_key(),
            status=AccountStatus.CONNECTED,
        )
        db.session.add_all([fb, ig])
        db.session.commit()
        return {"meta": login.id, "facebook": fb.id, "instagram": ig.id}


def make_post(
    app: Flask,
    video: Any,
    account_id: int,
    platform: str,
    *,
    caption: str = "New kettle",
    hashtags: tuple[str, ...] = ("#kitchen",),
    is_aigc: bool = False,
    pull: bool = False,
    options: dict[str, Any] | None = None,
) -> int:
    """A consented post with one delivery to a Meta account (nothing sent yet); its id."""
    with app.app_context():
        delivery = Delivery(
            account_id=account_id,
            platform=platform,
            mode=Mode.DIRECT,
            source=Source.PULL_FROM_URL if pull else Source.FILE_UPLOAD,
            options=options,
            video_size=video.size_bytes,
            status=DeliveryStatus.QUEUED,
        )
        post = Post(
            idempotency_key=secrets.token_hex(16),
            video_id=video.id,
            caption=caption,
            hashtags=list(hashtags),
            is_aigc=is_aigc,
            consent_text=f"I agree to publish this video as a Reel on {platform}.",
            deliveries=[delivery],
        )
        db.session.add(post)
        db.session.commit()
        return post.id


def run_once(app: Flask, post_id: int) -> str:
    """One run of the send task, as a worker does it."""
    with app.app_context():
        return tasks.run(delivery_of(post_id).id)


def load(app: Flask, post_id: int) -> Delivery:
    """A fresh copy of the post's only delivery."""
    with app.app_context():
        delivery = delivery_of(post_id)
        db.session.expunge(delivery)
        return delivery


def sha256_of(app: Flask, video: Any) -> str:
    """The hex sha256 of a stored video's bytes (what the sandbox hashes as they arrive)."""
    with app.app_context():
        return hashlib.sha256(video_path(video).read_bytes()).hexdigest()


def set_video(app: Flask, video_id: int, **facts: Any) -> None:
    """Change what the library knows of a video (its measured shape)."""
    with app.app_context():
        row = db.session.get(Video, video_id)
        for key, value in facts.items():
            setattr(row, key, value)
        db.session.commit()
