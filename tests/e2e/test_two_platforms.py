"""One post to TikTok and YouTube in a real browser: both deliveries finish on the post page.

Both channels are connected through the sandbox's consent pages, in the browser; the post is
made by the posts service (a TikTok draft) with a YouTube delivery added beside it, as the
multi-platform form will do; a real huey consumer sends both.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from studio import db
from studio.auth.models import User
from studio.platforms.models import Account, Delivery, DeliveryStatus, Mode
from studio.posts import services
from studio.sandbox.server import SandboxServer
from tests.e2e.conftest import LiveServer
from tests.e2e.test_journeys import connect_tiktok, shot, sign_in, worker  # noqa: F401
from tests.platforms.youtube.app_support import youtube_config
from tests.platforms.youtube.send_support import OPTIONS


@pytest.fixture
def app(make_sandbox_app, sandbox: SandboxServer, tmp_path: Path) -> Flask:
    """TikTok and Google both on the sandbox, a real job queue, quick polls."""
    sandbox.youtube.configure(processing_step_delay=0.2)
    return make_sandbox_app(
        **youtube_config(sandbox),
        HUEY_IMMEDIATE=False,
        HUEY_SQLITE_PATH=str(tmp_path / "jobs.db"),
        POSTS_POLL_BASE=0.2,
        POSTS_POLL_CAP=0.5,
    )


def connect_youtube(page: Page, base: str) -> None:
    """Our page → Google's (the sandbox's) consent page → allow → back, connected."""
    page.goto(base + "/youtube/")
    page.get_by_role("button", name="Connect YouTube").click()
    page.locator("#allow").click()
    page.wait_for_url(base + "/youtube/")
    expect(page.get_by_text("Connected the YouTube channel Acme Studio.")).to_be_visible()


def post_to_both(app: Flask, video_id: int) -> int:
    """A consented TikTok draft through the service, plus a YouTube delivery; both enqueued."""
    with app.app_context():
        admin = db.session.scalar(select(User).where(User.email == "admin@example.com"))
        accounts = {a.platform: a.id for a in db.session.scalars(select(Account))}
        draft = services.Draft(
            video_id=video_id,
            account_id=accounts["tiktok"],
            mode=Mode.DRAFT,
            caption="Meet the Trail Runner 2",
            hashtags_raw="running",
            consent=True,
        )
        post, _ = services.create_post(db.session, admin, draft, "two-platforms")
        post.deliveries.append(
            Delivery(
                account_id=accounts["youtube"],
                platform="youtube",
                mode=Mode.DIRECT,
                options=dict(OPTIONS),
                video_size=post.video.size_bytes,
            )
        )
        db.session.commit()
        services.enqueue_post(post)
        return post.id


def test_one_post_reaches_tiktok_and_youtube(
    page: Page,
    app: Flask,
    users,
    sandbox: SandboxServer,
    worker,  # noqa: F811
    make_stored_video,
) -> None:
    with LiveServer(app) as server:
        base = server.url
        sandbox.configure(redirect_uris=[f"{base}/tiktok/callback"])
        sandbox.youtube.configure(redirect_uris=[f"{base}/youtube/callback"])
        sign_in(page, base)
        connect_tiktok(page, base)
        connect_youtube(page, base)
        post_id = post_to_both(app, make_stored_video().id)

        page.goto(f"{base}/posts/{post_id}")
        cards = page.locator(".delivery-card")
        expect(cards).to_have_count(2)
        for card in cards.all():
            live = card.locator("[data-post-status]")
            expect(live).to_have_attribute("data-terminal", "true", timeout=60_000)
        tiktok, youtube = cards.nth(0), cards.nth(1)
        expect(tiktok.locator("[data-field=badge]")).to_have_text("In the account's TikTok inbox")
        expect(youtube.locator("[data-field=badge]")).to_have_text("Published")
        expect(youtube).not_to_contain_text("TikTok")
        page.reload()  # the link appears once the page is drawn again
        link = page.get_by_role("link", name="Open on YouTube")
        expect(link).to_have_attribute("href", _link(app))
        shot(page, "09-two-platforms")
    with app.app_context():
        statuses = {d.platform: d.status for d in db.session.scalars(select(Delivery))}
    assert statuses == {"tiktok": DeliveryStatus.IN_INBOX, "youtube": DeliveryStatus.PUBLISHED}
    assert len(sandbox.youtube.summary()["videos"]) == 1
    assert len(sandbox.state.publishes) == 1


def _link(app: Flask) -> str:
    """The YouTube delivery's stored link (its video id in it)."""
    with app.app_context():
        delivery = db.session.scalars(select(Delivery).where(Delivery.platform == "youtube")).one()
        assert delivery.remote_id and delivery.remote_url.endswith(delivery.remote_id)
        return delivery.remote_url
