"""The header offers every installed platform's account page, from the registry: one link when
there is one, an "Accounts" menu when there are several; usable at 1280 and 390 px."""

from __future__ import annotations

import pytest
from flask import Flask
from flask_login import login_user
from playwright.sync_api import Browser, expect
from sqlalchemy import select

from studio import db
from studio.auth.models import User
from studio.templating import nav_items
from tests.e2e.conftest import LiveServer
from tests.e2e.test_walk import WIDTHS, Walker
from tests.helpers import ADMIN_PASSWORD


@pytest.fixture
def app(make_sandbox_app) -> Flask:
    return make_sandbox_app(YOUTUBE_CLIENT_ID="nav-test-client", YOUTUBE_CLIENT_SECRET="s")


@pytest.mark.parametrize("width", WIDTHS)
def test_accounts_menu_lists_every_platform(
    browser: Browser, app: Flask, users, width: int
) -> None:
    with LiveServer(app) as server:
        walker = Walker(browser, server.url, width)
        page = walker.page
        try:
            walker.sign_in("admin@example.com", ADMIN_PASSWORD)
            if width < 800:
                page.get_by_role("button", name="Menu").click()
            nav = page.get_by_role("navigation", name="Main")
            expect(nav.get_by_role("link", name="YouTube")).to_be_hidden()
            nav.get_by_text("Accounts").click()
            expect(nav.get_by_role("link", name="TikTok")).to_be_visible()
            walker.check("nav-accounts")
            nav.get_by_role("link", name="YouTube").click()
            page.wait_for_url("**/youtube/")
            expect(page.locator(".navmenu summary", has_text="Accounts")).to_have_class("current")
            if width >= 800:  # a click elsewhere closes the menu
                page.locator(".navmenu summary", has_text="Accounts").click()
                expect(nav.get_by_role("link", name="TikTok")).to_be_visible()
                page.locator("footer").click(position={"x": 5, "y": 5})
                expect(nav.get_by_role("link", name="TikTok")).to_be_hidden()
            assert walker.problems == [], walker.problems
        finally:
            walker.context.close()


def test_one_platform_keeps_its_plain_link(make_app, users) -> None:
    tiktok_only = make_app()  # YouTube not configured: its pages are not installed
    with tiktok_only.test_request_context():
        login_user(db.session.scalar(select(User).where(User.email == "admin@example.com")))
        items = nav_items()
    assert ("tiktok.index", "TikTok account", []) in items
    assert all(label != "Accounts" for _, label, _ in items)
