"""The small things of issue 15, in a real browser: the phone menu folds, the account menu looks
like one, "Expand all" stays open, the caption note follows the mode, the copy button lines up."""

from __future__ import annotations

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import LiveServer
from tests.e2e.test_walk import Walker, World, app, world  # noqa: F401 (fixtures)
from tests.helpers import ADMIN_PASSWORD


@pytest.fixture
def admin_page(browser: Browser, app: Flask, world: World):  # noqa: F811
    def open_at(width: int) -> tuple[Page, str]:
        walker = Walker(browser, server.url, width)
        walker.sign_in("admin@example.com", ADMIN_PASSWORD)
        opened.append(walker)
        return walker.page, server.url

    opened: list[Walker] = []
    with LiveServer(app) as server:
        yield open_at
        for walker in opened:
            assert not walker.problems, walker.problems
            walker.context.close()


def test_phone_menu_folds_and_opens(admin_page) -> None:
    page, base = admin_page(390)
    header = page.locator("header.topbar")
    assert header.bounding_box()["height"] < 80  # was ~250 px: every link on its own line
    nav = page.get_by_role("navigation", name="Main")
    expect(nav).to_be_hidden()
    page.get_by_role("button", name="Menu").click()
    expect(nav.get_by_role("link", name="Posts")).to_be_visible()
    expect(page.get_by_role("button", name="Menu")).to_have_attribute("aria-expanded", "true")


def test_account_menu_is_recognisable_and_opens(admin_page) -> None:
    page, _ = admin_page(1280)
    summary = page.locator(".account summary")
    expect(summary).to_have_attribute("aria-label", "Account menu for admin@example.com")
    expect(summary.locator(".menu-caret")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_be_hidden()
    summary.click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    # The nav fits on one line at 1280 px next to the account menu.
    links = page.get_by_role("navigation", name="Main").get_by_role("link")
    tops = {round(links.nth(i).bounding_box()["y"]) for i in range(links.count())}
    assert len(tops) == 1, tops


def test_expand_all_opens_every_step_and_they_stay_open(admin_page, world: World) -> None:  # noqa: F811
    page, base = admin_page(1280)
    page.goto(f"{base}/posts/{world.posts['in_inbox']}")
    steps = page.locator(".audit-steps details")
    assert steps.count() > 1
    page.get_by_role("button", name="Expand all").click()
    expect(page.get_by_role("button", name="Collapse all")).to_be_visible()
    assert page.locator(".audit-steps details[open]").count() == steps.count()
    page.get_by_role("button", name="Collapse all").click()
    assert page.locator(".audit-steps details[open]").count() == 0


def test_caption_note_follows_the_mode(admin_page, world: World) -> None:  # noqa: F811
    page, base = admin_page(1280)
    page.goto(f"{base}/posts/new?video_id={world.video_id}")
    draft_note = page.get_by_text("Drafts carry no caption.")
    direct_note = page.get_by_text("Direct posts carry this caption.")
    expect(draft_note).to_be_visible()
    expect(direct_note).to_be_hidden()
    page.get_by_label("Post directly").check()
    expect(direct_note).to_be_visible()
    expect(draft_note).to_be_hidden()


@pytest.mark.parametrize("width", (1280, 390))
def test_copy_caption_button_lines_up_with_the_card(admin_page, world: World, width) -> None:  # noqa: F811
    page, base = admin_page(width)
    page.goto(f"{base}/posts/{world.posts['in_inbox']}")
    button = page.get_by_role("button", name="Copy caption").bounding_box()
    caption = page.locator("#post-caption").bounding_box()
    assert abs((button["x"] + button["width"]) - (caption["x"] + caption["width"])) <= 2
    assert button["y"] + button["height"] <= caption["y"]  # above the caption, in the card's head
