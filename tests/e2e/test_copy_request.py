"""A copy request in Chromium, laptop and phone: from the policy, verify, download, close."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import LiveServer
from tests.e2e.test_deletion import WIDTHS, _check, _watch, served  # noqa: F401


@pytest.mark.parametrize("device", WIDTHS)
def test_copy_from_the_policy_to_the_download(page: Page, served: LiveServer, device: str):  # noqa: F811
    page.set_viewport_size({"width": WIDTHS[device], "height": 900})
    errors, base = _watch(page), served.url
    page.goto(base + "/privacy")
    page.locator("[data-claim=copy_request] a").click()
    page.wait_for_url("**/data-requests/new?kind=copy")
    expect(page.get_by_label("Send me a copy of my data (nothing is deleted)")).to_be_checked()
    expect(page.locator("#correction")).to_be_hidden()
    _check(page, f"copy-{device}-1-form", errors)
    page.get_by_label("TikTok display name").fill("Acme Studio")
    page.get_by_role("button", name="Send request").click()
    page.wait_for_url("**/data-deletion/received")
    code = page.locator("#confirmation-code").get_attribute("data-code")

    page.locator("#verify-tiktok").click()
    page.locator("button.approve").click()
    page.wait_for_url("**/data-deletion/verified")
    expect(page.locator("#delete-now")).to_have_count(0)
    _check(page, f"copy-{device}-2-verified", errors)
    with page.expect_download() as info:
        page.locator("#download-data").click()
    data = json.loads(Path(info.value.path()).read_text())
    assert data["request"]["type"] == "copy" and data["recipients"]

    page.get_by_label("E-mail address for notices (optional)").fill("owner@example.org")
    page.get_by_role("button", name="Save address").click()
    page.wait_for_url(f"**/data-deletion/status/{code}")
    expect(page.get_by_text("We will write to this address")).to_be_visible()
    _check(page, f"copy-{device}-3-status", errors)
    page.locator("#copy-done").click()
    page.wait_for_url(f"**/data-deletion/status/{code}")
    expect(page.locator("#request-status")).to_have_attribute("data-status", "completed")
    expect(page.get_by_text("Nothing was deleted.")).to_be_visible()
    _check(page, f"copy-{device}-4-completed", errors)
