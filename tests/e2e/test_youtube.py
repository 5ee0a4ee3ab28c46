"""YouTube in a real browser at 1280 and 390 px: connect through Google's consent page, the
account page, the dashboard card, disconnect; no sideways scrolling, errors or failed requests."""

from __future__ import annotations

import pytest
from flask import Flask
from playwright.sync_api import Browser, expect

from studio.sandbox.server import SandboxServer
from tests.e2e.conftest import LiveServer
from tests.e2e.test_walk import WIDTHS, Walker
from tests.helpers import ADMIN_PASSWORD
from tests.platforms.youtube.app_support import youtube_config, yt_sandbox  # noqa: F401


@pytest.fixture
def app(make_app, yt_sandbox: SandboxServer) -> Flask:  # noqa: F811
    return make_app(**youtube_config(yt_sandbox))


@pytest.mark.parametrize("width", WIDTHS)
def test_connect_and_disconnect_a_channel_in_the_browser(
    browser: Browser,
    app: Flask,
    users,
    live_server: LiveServer,
    yt_sandbox: SandboxServer,  # noqa: F811
    width: int,
) -> None:
    yt_sandbox.youtube.configure(redirect_uris=[f"{live_server.url}/youtube/callback"])
    walker = Walker(browser, live_server.url, width)
    page = walker.page
    try:
        walker.sign_in("admin@example.com", ADMIN_PASSWORD)
        walker.visit("youtube-empty", "/youtube/")
        page.get_by_role("button", name="Connect YouTube").click()
        page.locator("#allow").wait_for()
        assert page.url.startswith(yt_sandbox.url)
        page.locator("#allow").click()
        page.wait_for_url(live_server.url + "/youtube/")
        expect(page.get_by_text("Connected the YouTube channel Acme Studio.")).to_be_visible()
        expect(page.get_by_text("@acmestudio")).to_be_visible()
        walker.check("youtube-connected")
        walker.visit("dashboard-youtube", "/dashboard/")
        expect(page.get_by_text("Acme Studio: connected")).to_be_visible()
        walker.visit("youtube-connected-again", "/youtube/")
        page.once("dialog", lambda dialog: dialog.accept())
        page.get_by_role("button", name="Disconnect").click()
        expect(page.get_by_text("access revoked at Google and tokens erased")).to_be_visible()
        walker.check("youtube-disconnected")
        assert walker.problems == []
    finally:
        walker.context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_a_channel_owner_deletes_their_data_in_the_browser(
    browser: Browser,
    app: Flask,
    users,
    live_server: LiveServer,
    yt_sandbox: SandboxServer,  # noqa: F811
    width: int,
) -> None:
    yt_sandbox.youtube.configure(
        redirect_uris=[
            f"{live_server.url}/youtube/callback",
            f"{live_server.url}/privacy/verify/callback",
        ]
    )
    admin = Walker(browser, live_server.url, width)
    try:
        admin.sign_in("admin@example.com", ADMIN_PASSWORD)
        admin.visit("youtube-empty", "/youtube/")
        admin.page.get_by_role("button", name="Connect YouTube").click()
        admin.page.locator("#allow").click()
        admin.page.wait_for_url(live_server.url + "/youtube/")
    finally:
        admin.context.close()
    owner = Walker(browser, live_server.url, width)
    page = owner.page
    try:
        owner.visit("owner-request-form", "/data-deletion")
        expect(page.locator("#name")).to_be_visible()  # TikTok, the default, names its account
        page.get_by_label("A YouTube channel that was connected to this service").check()
        expect(page.locator("#name")).to_be_visible()
        page.get_by_label("YouTube channel name or @handle").fill("@acmestudio")
        page.get_by_role("button", name="Send request").click()
        page.wait_for_url("**/data-deletion/received")
        owner.check("owner-received")
        page.locator("#verify-youtube").click()
        page.locator("#allow").click()
        page.wait_for_url("**/data-deletion/verified")
        owner.check("owner-verified")
        page.once("dialog", lambda dialog: dialog.accept())
        page.locator("#delete-now").click()
        page.wait_for_url("**/data-deletion/status/**")
        expect(
            page.get_by_text("YouTube channel (channel ID, title, handle, picture)")
        ).to_be_visible()
        owner.check("owner-erased")
        assert owner.problems == []
    finally:
        owner.context.close()
