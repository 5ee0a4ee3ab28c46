"""Videos in a real browser: parts and progress, a dropped part, rejection, cancel, CSRF renewal;
several files at once, each in its own row (tests/e2e/test_videos_bulk.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import expect

from studio.videos import samples
from tests.e2e.conftest import ARTIFACTS, LiveServer, wait_in_page
from tests.helpers import ADMIN_PASSWORD
from tests.videos.conftest import EVERY_PLATFORM


@pytest.fixture
def app(make_app) -> Flask:
    """Small parts, so even a tiny sample goes up in several PATCH requests; every platform
    offered, as in the demo."""
    return make_app(UPLOAD_PART_BYTES=32 * 1024, **EVERY_PLATFORM)


@pytest.fixture
def server(live_server: LiveServer, users) -> LiveServer:
    return live_server


@pytest.fixture
def upload_page(page, server: LiveServer):
    """Signed in as the admin, on the upload page."""
    page.goto(server.url + "/auth/login")
    page.get_by_label("E-mail").fill("admin@example.com")
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/dashboard/")
    page.goto(server.url + "/videos/upload")
    return page


def row(page, n: int = 0):
    """The n-th file's row on the upload page."""
    return page.locator(".upload-row").nth(n)


def test_upload_with_a_dropped_part_then_duplicate(upload_page, sample_mp4: Path) -> None:
    page = upload_page
    dropped = []

    def drop_first_patch(route):
        if route.request.method == "PATCH" and not dropped:
            dropped.append(route.request.headers.get("upload-offset"))
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route("**/videos/uploads/**", drop_first_patch)
    page.set_input_files("#video-file", str(sample_mp4))
    result = row(page).locator(".upload-result")
    result.get_by_text("is uploaded and checked").wait_for()
    assert dropped == ["0"]
    assert row(page).get_by_role("progressbar").get_attribute("aria-valuenow") == "100"
    assert re.search(r"of .* · 100%", row(page).locator(".upload-figures").inner_text())
    result.get_by_role("link", name="Open it").click()
    page.wait_for_url(re.compile(r".*/videos/\d+$"))
    assert page.locator("video").count() == 1

    page.go_back()
    page.set_input_files("#video-file", str(sample_mp4))
    row(page).locator(".upload-result").get_by_text("You already uploaded this video").wait_for()
    expect(row(page).locator(".upload-state")).to_have_text("Already uploaded")


def test_rejected_video_lists_each_rule(upload_page, tmp_path: Path) -> None:
    page = upload_page
    silent = samples.make_audio_only(tmp_path / "sound.mp4")
    page.set_input_files("#video-file", str(silent))
    result = row(page).locator(".upload-result")
    result.get_by_text("no video stream").wait_for()
    assert "sound.mp4 cannot be published on any of the platforms:" in result.inner_text()


def test_a_video_tiktok_refuses_is_kept_and_its_page_says_why(upload_page, tmp_path: Path) -> None:
    page = upload_page
    slow = samples.make_low_fps(tmp_path / "slow.mp4")
    page.set_input_files("#video-file", str(slow))
    result = row(page).locator(".upload-result")
    result.get_by_text("slow.mp4 is uploaded and checked").wait_for()
    result.get_by_role("link", name="Open it").click()
    page.wait_for_url(re.compile(r".*/videos/\d+$"))
    fits = page.locator("ul.fits")
    expect(fits.locator("li.fit-no", has_text="TikTok:")).to_contain_text(
        "frame rate 15 fps; TikTok needs 23–60"
    )
    expect(fits.locator("li.fit-yes", has_text="YouTube:")).to_contain_text("yes, as a Short")
    ARTIFACTS.mkdir(exist_ok=True)
    for width in (1280, 390):  # kept for review: the verdicts at a laptop's and a phone's width
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(ARTIFACTS / f"video-fits-{width}.png"), full_page=True)
        page.goto(page.url.rsplit("/", 1)[0] + "/")
        expect(page.locator("ul.fits").first).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / f"library-fits-{width}.png"), full_page=True)
        page.go_back()


def test_cancel_stops_and_says_so(upload_page, server: LiveServer, tmp_path: Path) -> None:
    page = upload_page
    big = samples.make_video(tmp_path / "long.mp4", seconds=8, width=720, height=1280)
    held = []

    def stall(route):
        if route.request.method == "PATCH" and route.request.headers["upload-offset"] != "0":
            held.append(route)  # never answered: the upload hangs mid-way like a slow link
        else:
            route.continue_()

    page.route("**/videos/uploads/**", stall)
    page.set_input_files("#video-file", str(big))
    wait_in_page(page, lambda: held, 60, "the first part to go through, the second to hang")
    assert row(page).get_by_role("progressbar").get_attribute("aria-valuenow") != "0"
    # The route stays: unrouting may release the held part, and the upload could then finish
    # before the click (Cancel aborts the held request; the DELETE passes through `stall`).
    row(page).get_by_role("button", name="Cancel").click()
    row(page).locator(".upload-result").get_by_text(
        "Upload cancelled. Nothing was kept."
    ).wait_for()
    partial = Path(server.app.instance_path) / "uploads" / ".partial"
    assert list(partial.iterdir()) == []


def test_expired_csrf_token_is_renewed_mid_upload(upload_page, sample_mp4: Path) -> None:
    page = upload_page
    refused = []

    def expire_once(route):
        if route.request.method == "PATCH" and not refused:
            refused.append(True)
            message = "The page expired (missing or old CSRF token). Reload the page and resume."
            route.fulfill(status=400, json={"error": {"code": 400, "message": message}})
        else:
            route.continue_()

    page.route("**/videos/uploads/**", expire_once)
    with page.expect_request(lambda r: r.url.endswith("/videos/upload")):
        page.set_input_files("#video-file", str(sample_mp4))
    row(page).locator(".upload-result").get_by_text("is uploaded and checked").wait_for()
    assert refused == [True]


def test_a_fast_link_gets_the_largest_part_after_the_first(upload_page, tmp_path: Path) -> None:
    """Each next part is sized to take about 2 s at the last part's rate: on loopback the first
    32 KiB part goes in milliseconds, so the rest of the file follows in one part."""
    page = upload_page
    clip = samples.make_video(tmp_path / "clip.mp4", seconds=8, width=720, height=1280)
    offsets = []
    page.on(
        "request",
        lambda r: offsets.append(r.headers["upload-offset"]) if r.method == "PATCH" else None,
    )
    page.set_input_files("#video-file", str(clip))
    row(page).locator(".upload-result").get_by_text("is uploaded and checked").wait_for()
    assert offsets == ["0", str(32 * 1024)]  # doubling would have taken three
