"""Issue 20's "Done when", in a real browser: with APPROVAL_REQUIRED on, a staff member schedules
one post to TikTok (Direct Post) and YouTube a minute ahead through the form, an admin approves
it, the real worker sends both on time, the e-mails land in the outbox and the calendar shows
both sent (calendar and queue kept at 1280 and 390 px in test-artifacts/).

Nothing waits a fixed time: each step waits for its condition with a deadline. The only
timing the test asserts is the issue's: each delivery starts within a minute of its time.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from flask import Flask
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from studio import db
from studio.auth.models import User
from studio.platforms.models import Delivery, DeliveryStatus
from studio.sandbox.server import SandboxServer
from tests.e2e.conftest import LiveServer, wait_in_page
from tests.e2e.test_journeys import connect_tiktok, sign_in, worker  # noqa: F401
from tests.e2e.test_publish_everywhere import app, connect_youtube, everything  # noqa: F401
from tests.e2e.test_workflow import approve_in_browser, next_minute_after, shots, staff_page
from tests.notify.conftest import outbox

ZONE = "America/New_York"
AHEAD = 100  # seconds at least between filling in the time and the time (a loaded machine)


def _deliveries(studio_app: Flask, post_id: int) -> dict[str, Delivery]:
    with studio_app.app_context():
        rows = db.session.scalars(select(Delivery).where(Delivery.post_id == post_id))
        return {d.platform: d for d in rows}


def test_staff_schedules_two_platforms_admin_approves_both_go_out_on_time(
    page: Page,
    browser: Browser,
    app: Flask,  # noqa: F811
    users,
    everything: SandboxServer,  # noqa: F811
    worker,  # noqa: F811
    make_stored_video,
) -> None:
    app.config.update(APPROVAL_REQUIRED=True, TIKTOK_DIRECT_POST=True)
    vertical = make_stored_video(width=540, height=960, seconds=4.0)  # a Short for YouTube
    with app.app_context():
        author = db.session.scalar(select(User).where(User.email == "staff@example.com"))
        author.time_zone = ZONE
        db.session.commit()
    with LiveServer(app) as server:
        base = server.url
        everything.configure(redirect_uris=[f"{base}/tiktok/callback"])
        everything.youtube.configure(redirect_uris=[f"{base}/youtube/callback"])
        sign_in(page, base)  # the admin connects the accounts
        connect_tiktok(page, base)
        connect_youtube(page, base)

        # The staff member prepares one post for both accounts.
        writer = staff_page(browser, base)
        writer.goto(f"{base}/posts/new?video_id={vertical.id}")
        writer.get_by_label("Caption").fill("Trail Runner 2, out now")
        for box in writer.locator("[data-target]").all():
            box.check()
        writer.locator('[data-section-for][data-platform="tiktok"]').get_by_label(
            "Post directly"
        ).check()
        youtube = writer.locator('[data-section-for][data-platform="youtube"]')
        youtube.get_by_label("Unlisted").check()
        youtube.get_by_label("No, it is not made for kids").check()
        writer.get_by_role("button", name="Preview").click()
        expect(writer.locator(".post-preview")).to_have_count(2)
        writer.locator("[data-privacy]").select_option("SELF_ONLY")

        # ... and schedules it a minute or so ahead, in their own time zone.
        at = next_minute_after(AHEAD)
        local = at.astimezone(ZoneInfo(ZONE))
        writer.get_by_label("At a time").check()
        writer.get_by_label("Date and time").fill(local.strftime("%Y-%m-%dT%H:%M"))
        expect(writer.locator("[data-schedule]")).to_contain_text("Posts need approval here")
        writer.locator("[data-consent]").check()
        writer.locator("[data-send-button]").click()
        writer.wait_for_url(re.compile(r".*/posts/\d+$"))
        post_id = int(writer.url.rsplit("/", 1)[1])
        expect(writer.locator("[data-workflow]")).to_contain_text("Waiting for approval")
        planned = _deliveries(app, post_id)
        assert sorted(planned) == ["tiktok", "youtube"]
        for delivery in planned.values():
            assert delivery.scheduled_at == at
            assert delivery.status == DeliveryStatus.AWAITING_APPROVAL

        # The admin finds it in the queue, reviews what will be sent, approves.
        page.goto(base + "/posts/queue")
        page.get_by_role("link", name=re.compile(f"Post #{post_id}")).first.click()
        review = page.locator(".post-preview")
        expect(review).to_contain_text("TikTok: Acme Studio")
        expect(review).to_contain_text("YouTube: Acme Studio")
        expect(review.locator(".caption-preview")).to_have_text("Trail Runner 2, out now")
        shots(page, "10-review-two-platforms")
        approve_in_browser(page, app, post_id, at)
        assert everything.state.publishes == {} and not everything.youtube.summary()["videos"]

        # The real worker's sweeper starts both within a minute of their time.
        def both_sent() -> bool:
            found = _deliveries(app, post_id)
            return all(d.status == DeliveryStatus.PUBLISHED for d in found.values())

        wait_in_page(page, both_sent, AHEAD + 240, "both deliveries to be published", every=0.5)
        for platform, delivery in _deliveries(app, post_id).items():
            assert delivery.started_at is not None
            late = delivery.started_at - at
            assert dt.timedelta(0) <= late <= dt.timedelta(seconds=60), (platform, late)

        # The e-mails: the approval request to the admin, a "Published" one per platform to
        # the author (the worker sends them every minute).
        def landed() -> list:
            mine = [m for m in outbox(app) if m["To"] == "staff@example.com"]
            return [m for m in mine if "Published" in m["Subject"]]

        wait_in_page(page, lambda: len(landed()) >= 2, 150, "both 'published' e-mails", every=0.5)
        bodies = sorted(m.get_payload(decode=True).decode() for m in landed())
        assert any("(tiktok)" in b for b in bodies) and any("(youtube)" in b for b in bodies)
        asked = [m for m in outbox(app) if m["To"] == "admin@example.com"]
        assert any("Waiting for your approval" in m["Subject"] for m in asked)

        # The calendar shows both sent, at the author's local time; the queue lists them.
        writer.goto(f"{base}/posts/calendar?view=week&date={local:%Y-%m-%d}")
        entries = writer.locator(f'a.entry[href="/posts/{post_id}"]')
        expect(entries).to_have_count(2)
        for entry in entries.all():
            expect(entry).to_contain_text("Sent")
            expect(entry).to_contain_text(local.strftime("%H:%M"))
        expect(entries.filter(has_text="TikTok")).to_have_count(1)
        expect(entries.filter(has_text="YouTube")).to_have_count(1)
        shots(writer, "11-calendar-week-two-platforms")
        writer.goto(f"{base}/posts/calendar?view=month&date={local:%Y-%m-%d}")
        expect(writer.locator(f'a.entry[href="/posts/{post_id}"]')).to_have_count(2)
        shots(writer, "12-calendar-month-two-platforms")
        writer.goto(f"{base}/posts/queue")
        shots(writer, "13-queue-two-platforms")
        writer.context.close()
