"""A staff member signs in through a real browser and reaches the dashboard."""

from __future__ import annotations

from tests.helpers import ADMIN_PASSWORD


def test_sign_in_reaches_dashboard(page, live_server, users):
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Staff sign-in").click()
    page.get_by_label("E-mail").fill("admin@example.com")
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/dashboard/")
    assert page.get_by_role("heading", name="Dashboard").is_visible()
    assert page.get_by_text("admin@example.com").first.is_visible()


def test_wrong_password_shows_generic_message(page, live_server, users):
    page.goto(live_server.url + "/auth/login")
    page.get_by_label("E-mail").fill("admin@example.com")
    page.get_by_label("Password").fill("definitely not the password")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_text("Invalid email or password.").is_visible()
    assert "/auth/login" in page.url


def test_public_pages_link_privacy_and_terms_without_menu(page, live_server):
    page.goto(live_server.url + "/")
    legal = page.get_by_role("navigation", name="Legal")
    for name in ("Privacy policy", "Terms of service"):
        assert legal.get_by_role("link", name=name, exact=True).is_visible()
    legal.get_by_role("link", name="Privacy policy", exact=True).click()
    assert page.get_by_role("heading", name="Privacy policy").is_visible()
