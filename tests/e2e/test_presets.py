"""Caption templates in a real browser at 1280 and 390 px: save one, apply it in the prepare form
(filled in place, the rest of the form kept) and see it in the preview."""

from __future__ import annotations

import pytest
from flask import Flask
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import LiveServer
from tests.e2e.test_walk import WIDTHS, Walker
from tests.helpers import ADMIN_PASSWORD

CAPTION = "Meet the Trail Runner 2 😀 lighter and greener"


@pytest.fixture
def app(sandbox_app: Flask) -> Flask:
    return sandbox_app


@pytest.mark.parametrize("width", WIDTHS)
def test_save_a_template_and_apply_it_in_the_prepare_form(
    browser: Browser,
    app: Flask,
    users,
    connected_account,
    make_stored_video,
    live_server: LiveServer,
    width: int,
) -> None:
    video = make_stored_video(width=540, height=960)
    walker = Walker(browser, live_server.url, width)
    page = walker.page
    try:
        walker.sign_in("admin@example.com", ADMIN_PASSWORD)
        walker.visit("presets-empty", "/posts/templates/")
        expect(page.get_by_text("No templates yet.")).to_be_visible()
        page.get_by_label("Name").fill("Trail launch")
        page.get_by_label("Caption").fill(CAPTION)
        page.get_by_label("Hashtags").fill("running, #shoes running")
        expect(page.locator("[data-hashtag-preview]")).to_have_text("Hashtags: #running #shoes")
        page.get_by_role("button", name="Save template").click()
        expect(page.get_by_text("Saved the template “Trail launch”.")).to_be_visible()
        expect(page.locator(".preset")).to_contain_text("#running #shoes")
        walker.check("presets-saved")

        walker.visit("presets-prepare", f"/posts/new?video_id={video.id}")
        page.get_by_label("Product name").fill("Trail Runner 2")
        posted = []
        page.on("request", lambda r: posted.append(r.url) if r.method == "POST" else None)
        page.get_by_label("Caption template").select_option(label="Trail launch")
        page.get_by_role("button", name="Apply").click()
        expect(page.get_by_label("Caption", exact=True)).to_have_value(CAPTION)
        expect(page.get_by_label("Hashtags")).to_have_value("#running #shoes")
        expect(page.locator("[data-caption-count]")).to_contain_text("63 of 2200 characters")
        expect(page.locator("[data-preset-note]")).to_contain_text("Applied “Trail launch”.")
        assert posted == []  # filled in place, nothing sent
        expect(page.get_by_label("Product name")).to_have_value("Trail Runner 2")
        walker.check("presets-applied")

        page.get_by_role("button", name="Preview").click()
        expect(page.get_by_role("heading", name="Preview and send")).to_be_visible()
        expect(page.locator("body")).to_contain_text("lighter and greener")
        walker.check("presets-preview")
        assert walker.problems == [], walker.problems
    finally:
        walker.context.close()
