"""One post prepared for TikTok and YouTube in a real browser at 1280 and 390 px: the YouTube
section appears when ticked, two preview cards, one consent, two deliveries."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from playwright.sync_api import Browser, expect
from sqlalchemy import select

from studio import db
from studio.platforms.models import Delivery
from tests.e2e.conftest import LiveServer
from tests.e2e.test_walk import WIDTHS, Walker
from tests.helpers import ADMIN_PASSWORD
from tests.posts.test_targets import channel


@pytest.fixture
def app(sandbox_app: Flask) -> Flask:
    return sandbox_app


@pytest.mark.parametrize("width", WIDTHS)
def test_prepare_one_post_for_tiktok_and_youtube(
    browser: Browser,
    app: Flask,
    users,
    connected_account,
    make_stored_video,
    live_server: LiveServer,
    width: int,
) -> None:
    yt = channel(app)
    video = make_stored_video(width=540, height=960)
    walker = Walker(browser, live_server.url, width)
    page = walker.page
    try:
        walker.sign_in("admin@example.com", ADMIN_PASSWORD)
        walker.visit("targets-prepare", f"/posts/new?video_id={video.id}")
        section = page.locator(f'[data-section-for="{yt.id}"]')
        expect(section).to_be_hidden()
        expect(page.locator("[data-show-options]")).to_be_hidden()  # JS reveals sections itself
        page.locator(f'[data-target="{connected_account.id}"]').check()
        page.locator(f'[data-target="{yt.id}"]').check()
        expect(section).to_be_visible()
        page.get_by_label("Caption").fill("Meet the new kettle")
        page.get_by_label("Hashtags").fill("kitchen")
        section.get_by_label("Title").fill("The new kettle")
        section.get_by_label("Unlisted").check()
        section.get_by_label("No, it is not made for kids").check()
        walker.check("targets-prepare-ticked")
        page.get_by_role("button", name="Preview").click()
        expect(page.get_by_role("heading", name="Preview and send")).to_be_visible()
        expect(page.locator(".post-preview")).to_have_count(2)
        expect(page.locator(".shorts-verdict")).to_contain_text("A Short.")
        walker.check("targets-preview")
        send = page.locator("[data-send-button]")
        expect(send).to_be_disabled()
        page.locator("[data-consent]").check()
        expect(send).to_have_text("Send to all 2 accounts")
        send.click()
        page.wait_for_url(re.compile(r".*/posts/\d+$"))
        walker.check("targets-post")
        with app.app_context():
            platforms = sorted(d.platform for d in db.session.scalars(select(Delivery)))
        assert platforms == ["tiktok", "youtube"]
        assert [p for p in walker.problems if "HTTP" not in p] == [], walker.problems
    finally:
        walker.context.close()
