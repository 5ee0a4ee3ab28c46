"""Staff accounts in a real browser at 1280 and 390 px: one-time passwords with a copy button,
choosing one's own password, two-factor with recovery codes, reset and delete."""

from __future__ import annotations

import pyotp
import pytest

from tests.e2e.conftest import ARTIFACTS
from tests.helpers import ADMIN_PASSWORD

NEW_PASSWORD = "plum cactus lantern voyage"


@pytest.fixture
def open_page(browser, request):
    """``open_page(width)``: a fresh context (clipboard allowed) that records console errors
    and failed requests; screenshots are kept in test-artifacts/."""
    contexts = []

    def factory(width: int):
        context = browser.new_context(viewport={"width": width, "height": 900})
        context.grant_permissions(["clipboard-read", "clipboard-write"])
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.problems = []
        page.on("console", lambda m: m.type == "error" and page.problems.append(m.text))
        # A navigation cancels the previous page's loads (ERR_ABORTED): not a failure.
        page.on(
            "requestfailed",
            lambda r: (
                "ERR_ABORTED" not in (r.failure or "")
                and page.problems.append(f"failed {r.url}: {r.failure}")
            ),
        )
        page.on("dialog", lambda dialog: dialog.accept())
        contexts.append((context, page))
        return page

    yield factory
    ARTIFACTS.mkdir(exist_ok=True)
    for n, (context, page) in enumerate(contexts):
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-{n}.png"), full_page=True)
        context.close()


def _fits(page, width: int | None) -> None:
    """No console errors or failed requests; no sideways scrolling at ``width``."""
    page.wait_for_load_state()
    if width is not None:
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.problems == []


def _sign_in(page, url: str, email: str, password: str) -> None:
    page.goto(url + "/auth/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def _copied(page, target: str) -> str:
    page.locator(f"{target} + .copy-button").click()
    page.locator(f"{target} ~ .copy-status").get_by_text("Copied.").wait_for()
    return page.evaluate("navigator.clipboard.readText()")


@pytest.mark.parametrize("width", [1280, 390])
def test_new_staff_member_from_one_time_password_to_own_password(
    open_page, live_server, users, width
):
    admin = open_page(width)
    _sign_in(admin, live_server.url, "admin@example.com", ADMIN_PASSWORD)
    admin.wait_for_url("**/dashboard/")
    admin.goto(live_server.url + "/staff/")
    admin.get_by_label("E-mail").fill("new.hire@example.com")
    admin.get_by_role("button", name="Create account").click()
    one_time = admin.locator("#one-time-password").inner_text()
    assert _copied(admin, "#one-time-password") == one_time
    _fits(admin, None)  # the staff table's layout at 390 px is issue 15's "Phones" item

    newcomer = open_page(width)
    _sign_in(newcomer, live_server.url, "new.hire@example.com", one_time)
    newcomer.wait_for_url("**/auth/password")
    assert newcomer.get_by_role("heading", name="Choose your own password").is_visible()
    _fits(newcomer, width)
    newcomer.get_by_label("Current password").fill(one_time)
    newcomer.get_by_label("New password").fill(NEW_PASSWORD)
    newcomer.get_by_role("button", name="Change password").click()
    newcomer.wait_for_url("**/dashboard/")

    admin.goto(live_server.url + "/staff/")
    admin.get_by_role("row", name="new.hire@example.com").get_by_role("link").click()
    admin.get_by_role("button", name="Reset password").click()
    admin.locator("#one-time-password").wait_for()
    assert admin.get_by_role("heading", name="Password reset").is_visible()
    _fits(admin, None)
    newcomer.goto(live_server.url + "/dashboard/")
    newcomer.wait_for_url("**/auth/login**")  # signed out everywhere

    admin.goto(live_server.url + "/staff/")
    admin.get_by_role("row", name="new.hire@example.com").get_by_role("link").click()
    _fits(admin, width)
    admin.get_by_role("button", name="Delete account").click()
    admin.get_by_text("Deleted the staff account of new.hire@example.com").wait_for()
    assert admin.get_by_role("row", name="new.hire@example.com").count() == 0


@pytest.mark.parametrize("width", [1280, 390])
def test_two_factor_with_recovery_codes(open_page, live_server, users, width):
    page = open_page(width)
    _sign_in(page, live_server.url, "admin@example.com", ADMIN_PASSWORD)
    page.wait_for_url("**/dashboard/")
    page.goto(live_server.url + "/auth/two-factor/setup")
    page.get_by_role("button", name="Show my code").click()
    secret = page.locator("#totp-key").inner_text()
    assert _copied(page, "#totp-key") == secret
    _fits(page, width)
    page.get_by_label("Six-digit code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on").click()
    page.get_by_role("heading", name="Your recovery codes").wait_for()
    codes = page.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10
    assert _copied(page, "#recovery-codes").split() == codes
    _fits(page, width)

    page.get_by_role("button", name="admin@example.com").or_(
        page.locator("summary", has_text="admin@example.com")
    ).first.click()
    page.get_by_role("button", name="Sign out").click()
    _sign_in(page, live_server.url, "admin@example.com", ADMIN_PASSWORD)
    page.wait_for_url("**/auth/two-factor")
    page.get_by_label("Six-digit code (or a recovery code)").fill(codes[0])
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url("**/dashboard/")
    assert page.get_by_text("9 of them remain").is_visible()
    page.goto(live_server.url + "/auth/two-factor/setup")
    assert page.locator("#recovery-left").inner_text().startswith("You have 9 unused")
    _fits(page, width)
    page.goto(live_server.url + "/auth/email")
    page.get_by_label("New e-mail").fill("boss@example.com")
    page.get_by_label("Current password").fill(ADMIN_PASSWORD)
    page.get_by_label("Code from your authenticator app (or a recovery code)").fill(codes[1])
    page.get_by_role("button", name="Change e-mail").click()
    page.get_by_text("Your e-mail is now boss@example.com.").wait_for()
    _fits(page, width)


@pytest.mark.parametrize("width", [1280, 390])
def test_confirmation_code_has_a_copy_button(open_page, live_server, width):
    page = open_page(width)
    page.goto(live_server.url + "/data-deletion")
    page.locator("#name").fill("Acme Studio")
    page.locator("#deletion-form button[type=submit]").click()
    code = page.locator("#confirmation-code").get_attribute("data-code")
    assert code and _copied(page, "#confirmation-code") == code
    _fits(page, width)
