"""Meta in a real browser at 1280 and 390 px, in demo mode (the sandbox out of the box): log in
on Facebook's dialog, choose the Page and its Instagram account, see them, disconnect."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from flask import Flask
from playwright.sync_api import Browser, expect

from studio.sandbox.server import SandboxServer
from tests.e2e.conftest import LiveServer
from tests.e2e.test_walk import WIDTHS, Walker
from tests.helpers import ADMIN_PASSWORD
from tests.platforms.meta.app_support import meta_sandbox  # noqa: F401 - fixture


@pytest.fixture
def app(make_app, meta_sandbox: SandboxServer) -> Flask:  # noqa: F811
    """Demo mode with its sandbox on this port: no Meta setting given."""
    return make_app(ENV="demo", SANDBOX_PORT=urlsplit(meta_sandbox.url).port)


@pytest.mark.parametrize("width", WIDTHS)
def test_connect_meta_in_demo_mode_in_the_browser(
    browser: Browser,
    app: Flask,
    users,
    live_server: LiveServer,
    meta_sandbox: SandboxServer,  # noqa: F811
    width: int,
) -> None:
    meta_sandbox.meta.configure(redirect_uris=[f"{live_server.url}/meta/callback"])
    walker = Walker(browser, live_server.url, width)
    page = walker.page
    try:
        walker.sign_in("admin@example.com", ADMIN_PASSWORD)
        walker.visit("meta-empty", "/meta/")
        expect(page.get_by_text("Publish Reels on the chosen Instagram accounts")).to_be_visible()
        page.get_by_role("button", name="Connect Meta").click()
        page.get_by_role("button", name="Continue").wait_for()
        assert page.url.startswith(meta_sandbox.url + "/meta/v27.0/dialog/oauth")
        page.get_by_role("button", name="Continue").click()
        # Meta's redirect ends in "#_=_", which the browser keeps across our redirect.
        page.wait_for_url(lambda url: urlsplit(url).path.endswith("/choose"))
        expect(page.get_by_text("Connected Dana Demo.")).to_be_visible()
        walker.check("meta-choose")
        page.get_by_role("checkbox", name="Facebook Page Acme Studio").check()
        page.get_by_role("checkbox", name="Instagram Acme Studio @acme.studio").check()
        page.get_by_role("button", name="Use these accounts").click()
        page.wait_for_url(lambda url: urlsplit(url).path == "/meta/")
        expect(
            page.get_by_text("Publishing to: Facebook Page Acme Studio, Instagram @acme.studio.")
        ).to_be_visible()
        expect(page.get_by_text("@acme.studio", exact=True)).to_be_visible()
        walker.check("meta-connected")
        walker.visit("dashboard-meta", "/dashboard/")
        expect(page.get_by_text("Acme Studio: connected").first).to_be_visible()
        walker.visit("meta-connected-again", "/meta/")
        page.once("dialog", lambda dialog: dialog.accept())
        page.get_by_role("button", name="Disconnect").click()
        expect(page.get_by_text("access revoked at Meta and tokens erased")).to_be_visible()
        walker.check("meta-disconnected")
        assert walker.problems == [], walker.problems
    finally:
        walker.context.close()
