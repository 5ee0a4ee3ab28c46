"""In a real browser: a staff member schedules a post a minute ahead in their own time zone,
an admin approves exactly what the preview showed, the worker's sweeper sends it on time, both
e-mails land in the outbox and the calendar shows it sent (screenshots at 1280 and 390 px)."""

from __future__ import annotations

import datetime as dt
import math
import re
from zoneinfo import ZoneInfo

from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from studio import db
from studio.auth.models import User
from studio.db import utcnow
from studio.platforms.models import DeliveryStatus
from studio.posts.models import Approval, Post
from studio.sandbox.server import SandboxServer
from tests.e2e.conftest import ARTIFACTS, LiveServer, wait_in_page
from tests.e2e.test_journeys import app, connect_tiktok, demo, sign_in, worker  # noqa: F401
from tests.helpers import STAFF_PASSWORD, delivery_of
from tests.notify.conftest import outbox

ZONE = "Europe/Berlin"
NARROW = {"width": 390, "height": 844}


def shots(page: Page, name: str) -> None:
    """The page at 1280 px and at 390 px (a phone), full length."""
    ARTIFACTS.mkdir(exist_ok=True)
    for width, size in (("1280", {"width": 1280, "height": 900}), ("390", NARROW)):
        page.set_viewport_size(size)
        page.screenshot(path=str(ARTIFACTS / f"workflow-{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def staff_page(browser: Browser, base: str) -> Page:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(base + "/auth/login")
    page.get_by_label("E-mail").fill("staff@example.com")
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/dashboard/")
    return page


def approve_in_browser(page: Page, studio_app, post_id: int, at: dt.datetime) -> None:
    """The admin presses Approve on the review page, in time for the post's schedule."""
    page.locator("[data-approve]").click()
    page.wait_for_url(f"**/posts/{post_id}")
    with studio_app.app_context():
        assert db.session.get(Post, post_id).approval == Approval.APPROVED
    assert utcnow() < at, "approved after the scheduled time: the test machine is too slow"


def next_minute_after(seconds: int) -> dt.datetime:
    soon = utcnow() + dt.timedelta(seconds=seconds)
    return dt.datetime.fromtimestamp(math.ceil(soon.timestamp() / 60) * 60, dt.UTC)


def test_schedule_approve_send_on_time_and_see_it_in_the_calendar(
    page: Page,
    browser: Browser,
    demo: LiveServer,  # noqa: F811
    sandbox: SandboxServer,
    make_stored_video,
) -> None:
    base, studio_app = demo.url, demo.app
    studio_app.config["APPROVAL_REQUIRED"] = True
    sign_in(page, base)  # the admin
    connect_tiktok(page, base)
    video = make_stored_video()
    with studio_app.app_context():
        author = db.session.scalar(select(User).where(User.email == "staff@example.com"))
        author.time_zone = ZONE
        db.session.commit()

    # The staff member prepares the post and schedules it a minute ahead, in Berlin time.
    writer = staff_page(browser, base)
    writer.goto(f"{base}/posts/new?video_id={video.id}")
    writer.get_by_label("Caption").fill("Trail Runner 2, out now")
    writer.get_by_role("button", name="Preview").click()
    expect(writer.get_by_role("heading", name="Preview and send")).to_be_visible()
    at = next_minute_after(75)
    local = at.astimezone(ZoneInfo(ZONE))
    writer.get_by_label("At a time").check()
    writer.get_by_label("Date and time").fill(local.strftime("%Y-%m-%dT%H:%M"))
    expect(writer.locator("[data-schedule]")).to_contain_text(f"In your time zone, {ZONE}")
    expect(writer.locator("[data-schedule]")).to_contain_text("Posts need approval here")
    writer.locator("[data-consent]").check()
    shots(writer, "01-preview-scheduled")
    writer.locator("[data-send-button]").click()
    writer.wait_for_url(re.compile(r".*/posts/\d+$"))
    post_id = int(writer.url.rsplit("/", 1)[1])
    plan = writer.locator("[data-workflow]")
    expect(plan).to_contain_text("Waiting for approval")
    expect(plan).to_contain_text(local.strftime("%Y-%m-%d %H:%M %Z"))
    shots(writer, "02-post-waiting")
    with studio_app.app_context():
        delivery = delivery_of(post_id)
        assert delivery.scheduled_at == at
        assert delivery.status == DeliveryStatus.AWAITING_APPROVAL

    def asked() -> list:
        return [m for m in outbox(studio_app) if m["To"] == "admin@example.com"]

    mail = wait_in_page(writer, asked, 30, "the approvers' e-mail (sent by the worker)")
    assert "Waiting for your approval" in mail[0]["Subject"]

    # The admin finds it in the queue, sees the preview, approves.
    page.goto(base + "/posts/queue")
    page.get_by_role("link", name=re.compile(f"Post #{post_id}")).click()
    review = page.locator(".post-preview")
    expect(review.locator(".caption-preview")).to_have_text("Trail Runner 2, out now")
    expect(review).to_contain_text("Acme Studio")
    shots(page, "03-review")
    approve_in_browser(page, studio_app, post_id, at)
    assert sandbox.state.publishes == {}

    # The worker's sweeper (every minute) starts it within a minute of its time.
    def landed() -> bool:
        with studio_app.app_context():
            return delivery_of(post_id).status == DeliveryStatus.IN_INBOX

    wait_in_page(page, landed, 200, "the scheduled post to reach the inbox", every=0.5)
    with studio_app.app_context():
        delivery = delivery_of(post_id)
        assert at <= delivery.started_at <= at + dt.timedelta(seconds=65)
        assert delivery.sent_at >= at

    def told() -> list:
        mine = [m for m in outbox(studio_app) if m["To"] == "staff@example.com"]
        return [m for m in mine if "Draft" in m["Subject"]]

    wait_in_page(page, told, 130, "the author's e-mail about the draft", every=0.5)
    mine = [m for m in outbox(studio_app) if m["To"] == "staff@example.com"]
    assert any("Approved" in m["Subject"] for m in mine)

    # The calendar shows it sent, on the author's local day.
    writer.goto(f"{base}/posts/calendar?view=week&date={local:%Y-%m-%d}")
    entry = writer.locator(f'a.entry[href="/posts/{post_id}"]')
    expect(entry).to_contain_text("Sent")
    expect(entry).to_contain_text(local.strftime("%H:%M"))
    shots(writer, "04-calendar-week")
    writer.goto(f"{base}/posts/calendar?view=month&date={local:%Y-%m-%d}")
    expect(writer.locator(f'a.entry[href="/posts/{post_id}"]')).to_contain_text("Sent")
    shots(writer, "05-calendar-month")
    writer.goto(f"{base}/posts/queue")
    shots(writer, "06-queue")
    writer.context.close()
