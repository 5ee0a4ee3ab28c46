"""A deletion request in Chromium, laptop and phone: file, leave, come back, verify, delete."""

from __future__ import annotations

import email
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import ConsoleMessage, Page, expect

from studio.sandbox.server import SandboxServer
from tests.e2e.conftest import ARTIFACTS, LiveServer
from tests.privacy.conftest import LOOSE_LIMITS

WIDTHS = {"laptop": 1280, "phone": 390}


@pytest.fixture
def served(make_sandbox_app, sandbox: SandboxServer) -> Iterator[LiveServer]:
    app: Flask = make_sandbox_app(**LOOSE_LIMITS)
    with LiveServer(app) as server:
        sandbox.configure(redirect_uris=[f"{server.url}/privacy/verify/callback"])
        yield server


def _check(page: Page, name: str, errors: list[str]) -> None:
    """No sideways scrolling, no console error so far; keep a screenshot."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], (name, width)
    assert errors == [], errors
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"deletion-{name}.png"), full_page=True)


def _console(message: ConsoleMessage, errors: list[str]) -> None:
    # Chromium asks every origin (ours, the sandbox's) for /favicon.ico on its own.
    if message.type == "error" and not message.location["url"].endswith("/favicon.ico"):
        errors.append(f"{message.text} {message.location['url']}")


def _watch(page: Page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda m: _console(m, errors))
    # A navigation cancels the previous page's pending loads (net::ERR_ABORTED): not a failure.
    page.on(
        "requestfailed",
        lambda r: errors.append(f"failed {r.url}") if "ABORTED" not in (r.failure or "") else None,
    )
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.on("dialog", lambda d: d.accept())
    return errors


@pytest.mark.parametrize("device", WIDTHS)
def test_file_leave_come_back_verify_and_delete(page: Page, served: LiveServer, device: str):
    page.set_viewport_size({"width": WIDTHS[device], "height": 900})
    errors, base = _watch(page), served.url
    page.goto(base + "/data-deletion")
    page.get_by_label("TikTok display name").fill("Acme Studio")
    page.get_by_role("button", name="Send request").click()
    page.wait_for_url("**/data-deletion/received")
    code = page.locator("#confirmation-code").get_attribute("data-code")
    _check(page, f"{device}-1-received", errors)

    page.goto(base + "/privacy")  # left before verifying
    page.goto(base + "/data-deletion")
    page.get_by_label("Confirmation code").fill(code)
    page.get_by_role("button", name="Show status").click()
    page.wait_for_url(f"**/data-deletion/status/{code}")
    expect(page.get_by_text("waiting for you to prove ownership")).to_be_visible()
    _check(page, f"{device}-2-status-unverified", errors)

    page.locator("#verify-again-button").click()
    page.locator("button.approve").click()
    page.wait_for_url("**/data-deletion/verified")
    expect(page.locator("#download-data")).to_be_visible()
    _check(page, f"{device}-3-verified", errors)

    page.goto(f"{base}/data-deletion/status/{code}")
    expect(page.locator("#delete-now")).to_be_visible()  # the status page offers it too
    page.locator("#delete-now").click()
    page.wait_for_url(f"**/data-deletion/status/{code}")
    expect(page.locator("#request-status")).to_have_attribute("data-status", "completed")
    _check(page, f"{device}-4-completed", errors)


@pytest.mark.parametrize("device", WIDTHS)
def test_a_mailed_link_works_once(page: Page, browser, served: LiveServer, device: str):
    page.set_viewport_size({"width": WIDTHS[device], "height": 900})
    errors, base = _watch(page), served.url
    page.goto(base + "/data-deletion")
    page.get_by_label("Data held under my e-mail address").check()
    page.get_by_role("textbox", name="E-mail address").fill("owner@example.org")
    page.get_by_role("button", name="Send request").click()
    page.wait_for_url("**/data-deletion/received")
    (mail,) = Path(served.app.instance_path, "outbox").glob("*.eml")
    body = email.message_from_bytes(mail.read_bytes()).get_payload(decode=True).decode()
    link = re.search(r"http://\S+/data-deletion/email/\S+", body).group(0)
    assert link.startswith(base)
    page.goto(link)
    page.locator("#confirm-email").click()
    page.wait_for_url("**/data-deletion/verified")
    _check(page, f"{device}-mail-verified", errors)

    other = browser.new_context(viewport={"width": WIDTHS[device], "height": 900})
    second = other.new_page()
    second.goto(link)
    expect(second.get_by_role("heading", name="Link already used")).to_be_visible()
    expect(second.locator("#confirm-email")).to_have_count(0)
    second.screenshot(path=str(ARTIFACTS / f"deletion-{device}-mail-second-use.png"))
    assert second.goto(base + "/data-deletion/export").status == 403
    other.close()
