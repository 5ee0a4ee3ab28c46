"""Performance in a real browser at 1280 and 390 px, demo-like: a TikTok account and a YouTube
channel connected through the sandbox, published videos, a week of daily rounds while the
sandbox's figures grow; charts, tables and the per-post page, without errors or sideways
scrolling (screenshots in test-artifacts/walk/metrics-*.png)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import requests
from flask import Flask
from playwright.sync_api import Browser, expect

from studio import db
from studio.metrics.snapshot import run_round
from studio.sandbox.server import SandboxServer
from tests.conftest import connect_tiktok
from tests.e2e.conftest import LiveServer
from tests.e2e.test_walk import WIDTHS, Walker
from tests.helpers import ADMIN_PASSWORD
from tests.metrics.conftest import control, http, madmin, mapp, msbx, publish  # noqa: F401
from tests.platforms.youtube.app_support import connect_youtube

DAYS = 7


@pytest.fixture
def world(
    mapp: Flask,  # noqa: F811
    madmin,  # noqa: F811
    msbx: SandboxServer,  # noqa: F811
    http: requests.Session,  # noqa: F811
    publish,  # noqa: F811
) -> Iterator[Flask]:
    """Two accounts, four published posts, a week of snapshots taken one day at a time."""
    assert connect_tiktok(madmin, msbx).status_code == 302
    assert connect_youtube(madmin, http).status_code in (302, 303)
    tiktok_ids = control(http, msbx, "videos", {"creator": "acme", "count": 3, "age_days": 8})
    youtube_ids = control(http, msbx, "youtube/videos", {"channel": "brand", "count": 2})
    publish(1, tiktok_ids["ids"])
    publish(2, youtube_ids["ids"])
    lagging = tiktok_ids["ids"][0]
    control(http, msbx, "metrics", {"figures": {f"video:{lagging}": {"shares": None}}})
    today = dt.datetime.now(dt.UTC).date()
    for back in range(DAYS - 1, -1, -1):
        with mapp.app_context():
            report = run_round(db.session, today - dt.timedelta(days=back), force=True)
        assert report.read == 2, report.skipped
        control(http, msbx, "metrics", {"advance_days": 1})
        control(http, msbx, "youtube/advance", {"seconds": 86_400})
    yield mapp


@pytest.mark.parametrize("width", WIDTHS)
def test_performance_shows_a_week_of_charts(
    browser: Browser, world: Flask, users, width: int
) -> None:
    with LiveServer(world) as server:
        walker = Walker(browser, server.url, width)
        page = walker.page
        try:
            walker.sign_in("admin@example.com", ADMIN_PASSWORD)
            walker.visit("metrics-dashboard", "/dashboard/")
            expect(page.get_by_text("This week's performance")).to_be_visible()
            walker.check("metrics-dashboard")
            walker.visit("metrics", "/metrics/")
            expect(page.get_by_role("heading", name="Followers")).to_be_visible()
            assert page.locator("svg.chart polyline").count() >= 3
            expect(page.get_by_text("TikTok: Acme Studio").first).to_be_visible()
            expect(page.get_by_text("not available yet").first).to_be_attached()
            walker.check("metrics")
            page.get_by_role("link", name="Post #1").first.click()
            expect(page.get_by_role("heading", name="Views")).to_be_visible()
            walker.check("metrics-post")
            assert walker.problems == []
        finally:
            walker.context.close()
