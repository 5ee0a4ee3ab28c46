"""A newcomer in demo mode, in a real browser: connect TikTok, YouTube, a Facebook Page and its
Instagram account through the sandbox's consent pages, prepare one post for all four, consent
once, and watch the four deliveries finish on the post page (issues 16, 17 and 18).

The app runs as `ENV=demo` pointed at one sandbox (TikTok, Google and Meta on one port, as
`flask demo` runs it); a real huey consumer sends the deliveries.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from studio import db
from studio.platforms.models import Delivery, DeliveryStatus
from studio.sandbox.server import SandboxServer
from tests.e2e.conftest import LiveServer
from tests.e2e.test_journeys import connect_tiktok, shot, sign_in, worker  # noqa: F401

FINISHED = {
    "tiktok": "in_inbox",
    "youtube": "published",
    "facebook": "published",
    "instagram": "published",
}


@pytest.fixture
def everything() -> Iterator[SandboxServer]:
    """One sandbox with TikTok, Google and Meta, processing quickly."""
    with SandboxServer(
        {"status_step_delay": 0.1},
        youtube={"processing_step_delay": 0.2},
        meta={"processing_delay": 0.1},
    ) as server:
        yield server


@pytest.fixture
def app(make_app, everything: SandboxServer, tmp_path: Path) -> Flask:
    """Demo mode on that sandbox, a real job queue, quick polls."""
    return make_app(
        ENV="demo",
        SANDBOX_PORT=urlsplit(everything.url).port,
        # The tests' base config points TikTok at a dead port; demo mode's defaults would not.
        TIKTOK_API_BASE=everything.url,
        TIKTOK_AUTH_URL=f"{everything.url}/v2/auth/authorize/",
        HUEY_IMMEDIATE=False,
        HUEY_SQLITE_PATH=str(tmp_path / "jobs.db"),
        POSTS_POLL_BASE=0.2,
        POSTS_POLL_CAP=0.5,
        POSTS_RETRY_BASE=0.2,
        POSTS_RETRY_CAP=0.5,
    )


def connect_youtube(page: Page, base: str) -> None:
    """Our page → Google's (the sandbox's) consent page → allow → back, connected."""
    page.goto(base + "/youtube/")
    page.get_by_role("button", name="Connect YouTube").click()
    page.locator("#allow").click()
    page.wait_for_url(base + "/youtube/")
    expect(page.get_by_text("Connected the YouTube channel")).to_be_visible()


def connect_meta(page: Page, base: str) -> None:
    """Facebook's (the sandbox's) login dialog → choose the Page and its Instagram account."""
    page.goto(base + "/meta/")
    page.get_by_role("button", name="Connect Meta").click()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(lambda url: urlsplit(url).path.endswith("/choose"))
    page.get_by_role("checkbox", name="Facebook Page Acme Studio").check()
    page.get_by_role("checkbox", name="Instagram Acme Studio @acme.studio").check()
    page.get_by_role("button", name="Use these accounts").click()
    page.wait_for_url(lambda url: urlsplit(url).path == "/meta/")


def test_one_post_reaches_tiktok_youtube_facebook_and_instagram(
    page: Page,
    app: Flask,
    users,
    everything: SandboxServer,
    worker,  # noqa: F811
    make_stored_video,
) -> None:
    vertical = make_stored_video(width=540, height=960, seconds=4.0)  # a Reel and a Short
    with LiveServer(app) as server:
        base = server.url
        everything.configure(redirect_uris=[f"{base}/tiktok/callback"])
        everything.youtube.configure(redirect_uris=[f"{base}/youtube/callback"])
        everything.meta.configure(redirect_uris=[f"{base}/meta/callback"])
        sign_in(page, base)
        connect_tiktok(page, base)
        connect_youtube(page, base)
        connect_meta(page, base)

        page.goto(f"{base}/posts/new?video_id={vertical.id}")
        page.get_by_label("Caption").fill("Meet the Trail Runner 2")
        page.get_by_label("Hashtags").fill("running")
        for box in page.locator("[data-target]").all():
            box.check()
        youtube = page.locator('[data-section-for][data-platform="youtube"]')
        youtube.get_by_label("Unlisted").check()
        youtube.get_by_label("No, it is not made for kids").check()
        shot(page, "10-prepare-everywhere")
        page.get_by_role("button", name="Preview").click()
        expect(page.locator(".post-preview")).to_have_count(4)
        page.locator("[data-consent]").check()
        page.get_by_role("button", name="Send to all 4 accounts").click()
        page.wait_for_url(re.compile(r".*/posts/\d+$"))

        cards = page.locator(".delivery-card")
        expect(cards).to_have_count(4)
        for card in cards.all():
            live = card.locator("[data-post-status]")
            expect(live).to_have_attribute("data-terminal", "true", timeout=90_000)
        shot(page, "11-published-everywhere")
    with app.app_context():
        deliveries = db.session.scalars(select(Delivery)).all()
        found = {d.platform: (d.status, d.fail_message) for d in deliveries}
    assert found == {p: (DeliveryStatus(s), None) for p, s in FINISHED.items()}, found
    assert len(everything.youtube.summary()["videos"]) == 1  # one video, sent once
    assert len(everything.state.publishes) == 1
