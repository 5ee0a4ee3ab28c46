"""Whole journeys in a real browser, as a newcomer clicks them in demo mode.

The app is served on a loopback port, TikTok is the sandbox on another, and jobs run on a real
huey consumer (SQLite queue, worker threads) instead of eagerly. Each step keeps a screenshot in
test-artifacts/ (journey-*.png); the README's pictures come from these.
"""

from __future__ import annotations

import re
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from studio import db, jobs
from studio.audit.verify import verify
from studio.platforms.models import Account, Delivery, DeliveryStatus
from studio.posts.models import Post
from studio.sandbox.server import SandboxServer
from studio.videos import storage
from studio.videos.models import Video
from tests.e2e.conftest import ARTIFACTS, LiveServer, wait_in_page
from tests.helpers import ADMIN_PASSWORD, delivery_of, wait_until


@pytest.fixture
def app(make_sandbox_app, sandbox: SandboxServer, tmp_path: Path) -> Flask:
    """The demo configuration: the sandbox as TikTok and a real job queue."""
    return make_sandbox_app(
        HUEY_IMMEDIATE=False,
        HUEY_SQLITE_PATH=str(tmp_path / "jobs.db"),
        POSTS_POLL_BASE=0.2,
        POSTS_POLL_CAP=0.5,
    )


@pytest.fixture
def sandbox_app(app: Flask) -> Flask:
    """`connected_account` connects through this very app. A second app built while the
    consumer runs would become the app its workers serve half-way through its construction
    (a task then fails on a missing setting), and would switch the queue under them."""
    return app


@pytest.fixture
def worker(app: Flask) -> Iterator[None]:
    """A real huey consumer (two worker threads and the scheduler) in this process."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)}
    consumer = jobs.huey.create_consumer(workers=2, worker_type="thread", periodic=True)
    consumer.start()
    yield
    consumer.stop(graceful=True)
    for sig, handler in saved.items():  # the consumer installs its own handlers
        signal.signal(sig, handler)


@pytest.fixture
def demo(app: Flask, users, sandbox: SandboxServer, worker) -> Iterator[LiveServer]:
    """The app on a loopback port, registered at the sandbox the way `make demo` does."""
    with LiveServer(app) as server:
        sandbox.configure(
            redirect_uris=[
                *sandbox.state.config.redirect_uris,  # the test client's, for connected_account
                f"{server.url}/tiktok/callback",
                f"{server.url}/privacy/verify/callback",
            ],
            webhook_url=f"{server.url}/webhooks/tiktok",
        )
        yield server


def shot(page: Page, name: str, *, full_page: bool = True) -> None:
    """Keep a screenshot of this step."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"journey-{name}.png"), full_page=full_page)


def sign_in(page: Page, base: str) -> None:
    page.goto(base + "/auth/login")
    page.get_by_label("E-mail").fill("admin@example.com")
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/dashboard/")


def connect_tiktok(page: Page, base: str) -> None:
    """Our page → the sandbox's consent page → approve as Acme Studio → back, connected."""
    page.goto(base + "/tiktok/")
    page.get_by_role("button", name="Connect TikTok").click()
    page.locator("button.approve").wait_for()
    shot(page, "02-tiktok-consent")
    page.locator("button.approve").click()
    page.wait_for_url(base + "/tiktok/")
    expect(page.get_by_text("Connected TikTok account Acme Studio")).to_be_visible()
    shot(page, "03-tiktok-connected")


def test_newcomer_sends_a_draft_and_watches_it_reach_the_inbox(
    page: Page, demo: LiveServer, sandbox: SandboxServer, sample_mp4: Path
) -> None:
    base = demo.url
    sign_in(page, base)
    shot(page, "01-dashboard-empty")
    connect_tiktok(page, base)

    page.goto(base + "/videos/upload")
    page.set_input_files("#video-file", str(sample_mp4))
    upload = page.locator(".upload-row").first
    upload.locator(".upload-result").get_by_text("is uploaded and checked").wait_for()
    expect(upload.get_by_role("button", name="Resume")).to_be_hidden()  # nothing left to resume
    expect(upload.get_by_role("button", name="Cancel")).to_be_hidden()
    # The bar's width transition ends before the picture is taken.
    page.wait_for_function("() => document.getAnimations().every(a => a.playState !== 'running')")
    shot(page, "04-uploaded")
    upload.get_by_role("link", name="Open it").click()
    page.wait_for_url(re.compile(r".*/videos/\d+$"))
    page.get_by_role("link", name="Prepare post").click()

    page.get_by_label("Caption").fill("Meet the Trail Runner 2: lighter, faster, greener")
    page.get_by_label("Hashtags").fill("running, #shoes  running")
    page.get_by_label("Product name").fill("Trail Runner 2")
    page.get_by_role("button", name="Preview").click()

    # The preview: the account fetched fresh, the caption as it will read, drafts' caveat.
    expect(page.get_by_role("heading", name="Preview and send")).to_be_visible()
    preview = page.locator(".post-preview")
    expect(preview.locator(".post-account strong")).to_have_text("Acme Studio")
    expect(preview.locator(".caption-preview")).to_contain_text("#running #shoes")
    expect(preview).to_contain_text("Drafts carry no caption")
    shot(page, "05-preview")

    # Without consent the send button stays disabled and says why; nothing was sent.
    send = page.locator("[data-send-button]")
    expect(send).to_be_disabled()
    expect(send).to_have_attribute("title", "Tick the consent box to send.")
    with demo.app.app_context():
        assert db.session.scalar(select(func.count(Post.id))) == 0
    assert sandbox.state.publishes == {}

    page.locator("[data-consent]").check()
    page.locator("[data-send-button]").click()
    page.wait_for_url(re.compile(r".*/posts/\d+$"))
    live = page.locator("[data-post-status]")
    expect(live).to_have_attribute("data-terminal", "true", timeout=30_000)
    expect(live.locator("[data-field=badge]")).to_have_text("In the account's TikTok inbox")
    finish = page.locator(".finish-in-tiktok")
    expect(finish).to_be_visible()
    expect(page.locator("#post-caption")).to_contain_text("Trail Runner 2")
    publish_id = page.locator("[data-field=remote_id]").text_content()
    shot(page, "06-in-inbox")

    # The sandbox received exactly this one upload, and the app agrees.
    with demo.app.app_context():
        post = db.session.scalars(select(Delivery)).one()
        assert post.status == DeliveryStatus.IN_INBOX
        assert post.remote_id == publish_id
        assert post.bytes_sent == sample_mp4.stat().st_size
    assert list(sandbox.state.publishes) == [publish_id]

    page.goto(base + "/dashboard/")
    shot(page, "07-dashboard")
    page.goto(base + "/posts/")
    expect(page.get_by_text("In the account's TikTok inbox").first).to_be_visible()
    shot(page, "08-posts")


def wait_for_status(app: Flask, post_id: int, status: str, timeout: float = 60.0) -> None:
    def reached() -> bool:
        with app.app_context():
            return delivery_of(post_id).status == status

    wait_until(reached, timeout, f"post {post_id} to reach {status}", every=0.1)


def test_account_owner_deletes_their_data_and_follows_it_by_code(
    page: Page, demo: LiveServer, sandbox: SandboxServer, sent_post: Post
) -> None:
    base = demo.url
    wait_for_status(demo.app, sent_post.id, DeliveryStatus.IN_INBOX)
    with demo.app.app_context():
        video = db.session.get(Post, sent_post.id).video
        stored = [storage.video_path(video), storage.poster_path(video)]
    assert stored and all(path.exists() for path in stored)
    page.goto(base + "/privacy")
    expect(page.get_by_role("heading", name="What we store, why, and for how long")).to_be_visible()
    shot(page, "10-privacy-policy", full_page=False)

    page.goto(base + "/data-deletion")
    page.locator("#name").fill("Acme Studio")
    page.locator("#deletion-form button[type=submit]").click()
    code_box = page.locator("#confirmation-code")
    code_box.wait_for()
    code = code_box.get_attribute("data-code")
    assert code
    shot(page, "11-deletion-received")

    page.locator("#verify-tiktok").click()
    page.locator("button.approve").click()
    page.locator("#delete-now").wait_for()
    shot(page, "12-deletion-verified")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#delete-now").click()
    page.wait_for_url(re.compile(r".*/data-deletion/status.*"))
    status = page.locator("#request-status")

    def completed() -> bool:
        if status.get_attribute("data-status") == "completed":
            return True
        page.reload()  # as the page does by itself while the request is open
        return False

    wait_in_page(page, completed, 60, "the deletion request to complete", every=0.5)
    shot(page, "13-deletion-completed")

    # The code alone finds the request again; a guessed one does not.
    page.goto(base + "/data-deletion")
    page.get_by_label(re.compile("confirmation code", re.I)).fill(code)
    page.get_by_role("button", name="Show status").click()
    expect(page.locator("#request-status")).to_have_attribute("data-status", "completed")
    # The account, its tokens, videos and posts are gone; the audit chain still verifies.
    with demo.app.app_context():
        for model in (Account, Video, Post):
            assert db.session.scalar(select(func.count()).select_from(model)) == 0, model
        assert verify(demo.app).intact
    assert not [path for path in stored if path.exists()]
    assert all(grant.revoked for grant in sandbox.state.grants.values())


def test_account_owner_revokes_access(
    page: Page, demo: LiveServer, sandbox: SandboxServer, connected_account
) -> None:
    base = demo.url
    page.goto(base + "/revoke")
    shot(page, "14-revoke")
    page.locator("#revoke-now").click()
    page.locator("button.approve").click()
    page.wait_for_url(re.compile(r".*/revoke/done.*"))
    shot(page, "15-revoked")
    with demo.app.app_context():
        account = db.session.scalars(select(Account)).one()
        assert (account.status, account.data_key) == ("disconnected", None), account.status_reason
    grants = list(sandbox.state.grants.values())
    tokens = list(sandbox.state.access.values())
    assert grants and all(grant.revoked for grant in grants), (grants, tokens)
    assert all(token.revoked for token in tokens), (grants, tokens)
