"""Every page at 1280 and 390 px: no sideways scrolling, no console errors, no failed requests.

The pages are walked as the public, a staff member and an admin see them, with a post in each
state and a deletion request in each state. Screenshots go to test-artifacts/walk/.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page

from studio import db
from studio.audit import Actor
from studio.platforms.models import Delivery, DeliveryStatus
from studio.posts.models import Post, PostErasure
from studio.privacy import services as privacy
from studio.privacy.models import RequestStatus
from studio.sandbox.server import SandboxServer
from tests.e2e.conftest import ARTIFACTS, LiveServer
from tests.helpers import ADMIN_PASSWORD, STAFF_PASSWORD

WIDTHS = (1280, 390)
# Scroll boxes (the audit table's) whose content is wider than the box: columns cut off.
CLIPPED = """[...document.querySelectorAll('.audit-scroll')]
  .filter((box) => box.scrollWidth > box.clientWidth + 1)
  .map((box) => `${box.className} (${box.scrollWidth} > ${box.clientWidth} px)`).join(', ')"""
SHOTS = ARTIFACTS / "walk"


@pytest.fixture
def app(make_sandbox_app) -> Flask:
    return make_sandbox_app(TIKTOK_DIRECT_POST=True)


@dataclass
class World:
    """What the walk visits: ids of posts by state, request codes by state, and the rest."""

    posts: dict[str, int] = field(default_factory=dict)
    codes: dict[str, str] = field(default_factory=dict)
    requests: dict[str, int] = field(default_factory=dict)
    video_id: int = 0
    staff_id: int = 0


POST_STATES = {
    "queued": {"status": DeliveryStatus.QUEUED, "bytes_sent": 0, "uploaded_at": None},
    "uploading": {"status": DeliveryStatus.UPLOADING, "next_chunk": 0},
    "processing": {"status": DeliveryStatus.PROCESSING, "remote_status": "PROCESSING_UPLOAD"},
    "published": {"status": DeliveryStatus.PUBLISHED, "remote_status": "PUBLISH_COMPLETE"},
    "failed": {
        "status": DeliveryStatus.FAILED,
        "fail_reason": "spam_risk_too_many_pending_share",
        "fail_message": "TikTok refused the upload: too many pending drafts.",
    },
}


def _copy_post(source: Post, key: str, changes: dict) -> Post:
    """A copy of ``source`` with a copy of its delivery, in the state ``changes`` describe."""

    def columns(obj: object, skip: set[str]) -> dict:
        mapper = type(obj).__mapper__  # type: ignore[attr-defined]
        return {c.key: getattr(obj, c.key) for c in mapper.column_attrs if c.key not in skip}

    stamps = {"id", "created_at", "updated_at"}
    delivery = Delivery(**(columns(source.deliveries[0], stamps | {"post_id"}) | changes))
    post = columns(source, stamps | {"idempotency_key"})
    return Post(**post, idempotency_key=key, deliveries=[delivery])


def _request(status: RequestStatus, name: str) -> tuple[int, str]:
    req, code = privacy.open_request(
        db.session,
        kind="tiktok",
        source="form",
        subject={"name": name},
        identifier=name,
        actor=Actor.public(),
    )
    now = db.utcnow()
    if status != RequestStatus.RECEIVED:
        req.status, req.verified_at = status, now
    if status == RequestStatus.IN_PROGRESS:
        req.approved_at = req.started_at = now
    if status == RequestStatus.COMPLETED:
        req.completed_at, req.data_key, req.subject_enc = now, None, None
        req.receipt = json.dumps({"erased": {"posts": 2, "videos": 1}, "kept": []})
    if status == RequestStatus.REJECTED:
        req.rejected_at, req.reason = now, "We could not confirm that the account is yours."
    db.session.commit()
    return req.id, code


@pytest.fixture
def world(app: Flask, sent_post: Post, users) -> World:
    from studio.auth.models import User

    built = World(video_id=sent_post.video_id)
    with app.app_context():
        source = db.session.get(Post, sent_post.id)
        half = source.deliveries[0].video_size // 2
        built.posts["in_inbox"] = source.id
        for name, changes in POST_STATES.items():
            if name == "uploading":
                changes = {**changes, "bytes_sent": half, "uploaded_at": None, "finished_at": None}
            post = _copy_post(source, f"walk-{name}", changes)
            db.session.add(post)
            db.session.commit()
            built.posts[name] = post.id
        built.posts["erased"] = _erased_post_id(app)
        for status in RequestStatus:
            built.requests[status], built.codes[status] = _request(status, f"walk {status}")
        built.staff_id = db.session.query(User).filter_by(email=users["staff"]).one().id
    return built


def _erased_post_id(app: Flask) -> int:
    """A post id erased by a deletion request (the tombstone's record holds no content)."""
    req_id, _ = _request(RequestStatus.COMPLETED, "walk erased")
    db.session.add(PostErasure(post_id=9999, request_id=req_id, erased_at=db.utcnow()))
    db.session.commit()
    return 9999


class Walker:
    """One browser context at one width that records every page's problems."""

    def __init__(self, browser: Browser, base: str, width: int) -> None:
        self.base, self.width = base, width
        self.context = browser.new_context(viewport={"width": width, "height": 900})
        self.page: Page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.problems: list[str] = []
        self.current = ""
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self._note(f"script error: {exc}"))
        self.page.on("requestfailed", self._failed)
        self.page.on("response", self._response)

    def _note(self, problem: str) -> None:
        self.problems.append(f"{self.width}px {self.current}: {problem}")

    def _failed(self, request) -> None:
        # A request the page itself cancelled by moving on (net::ERR_ABORTED) did not fail.
        if "ERR_ABORTED" not in (request.failure or ""):
            self._note(f"failed: {request.url} ({request.failure})")

    def _console(self, message) -> None:
        if message.type == "error":
            self._note(f"console: {message.text}")

    def _response(self, response) -> None:
        if response.status >= 400:
            self._note(f"HTTP {response.status} {response.url}")

    def visit(self, name: str, path: str) -> Page:
        self.current = name
        self.page.goto(self.base + path)
        self.check(name)
        return self.page

    def check(self, name: str) -> None:
        self.current = name
        self.page.wait_for_load_state("networkidle")
        overflow = self.page.evaluate("document.documentElement.scrollWidth")
        if overflow > self.width:
            self._note(f"scrolls sideways ({overflow} px wide)")
        clipped = self.page.evaluate(CLIPPED)
        if clipped:
            self._note(f"content cut off inside {clipped}")
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SHOTS / f"{name}-{self.width}.png"), full_page=True)
        self.page.screenshot(path=str(SHOTS / f"{name}-{self.width}-top.png"))

    def sign_in(self, email: str, password: str) -> None:
        self.page.goto(self.base + "/auth/login")
        self.page.get_by_label("E-mail").fill(email)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_url("**/dashboard/")


def walk_public(walker: Walker, world: World) -> None:
    for name, path in [
        ("home", "/"),
        ("privacy-policy", "/privacy"),
        ("terms", "/terms"),
        ("deletion-form", "/data-deletion"),
        ("deletion-lookup", "/data-deletion/status"),
        ("revoke", "/revoke"),
        ("login", "/auth/login"),
    ]:
        walker.visit(name, path)
    for status, code in world.codes.items():
        walker.visit(f"deletion-status-{status}", f"/data-deletion/status/{code}")


def walk_staff(walker: Walker, world: World, *, admin: bool) -> None:
    who = "admin" if admin else "staff"
    walker.sign_in(
        *(("admin@example.com", ADMIN_PASSWORD) if admin else ("staff@example.com", STAFF_PASSWORD))
    )
    walker.check(f"{who}-dashboard")
    pages = [
        ("tiktok", "/tiktok/"),
        ("videos", "/videos/"),
        ("video", f"/videos/{world.video_id}"),
        ("upload", "/videos/upload"),
        ("posts", "/posts/"),
        ("password", "/auth/password"),
        ("two-factor", "/auth/two-factor/setup"),
    ]
    if admin:
        pages += [
            ("audit", "/audit/"),
            ("audit-entry", "/audit/1"),
            ("staff", "/staff/"),
            ("staff-edit", f"/staff/{world.staff_id}"),
            ("requests", "/privacy/requests"),
        ]
        pages += [(f"request-{s}", f"/privacy/requests/{i}") for s, i in world.requests.items()]
    pages += [(f"post-{state}", f"/posts/{post_id}") for state, post_id in world.posts.items()]
    for name, path in pages:
        walker.visit(f"{who}-{name}", path)
    page = walker.visit(f"{who}-prepare", f"/posts/new?video_id={world.video_id}")
    page.get_by_label("Caption").fill("A kettle that whistles in tune #kettle")
    page.get_by_role("button", name="Preview").click()
    page.get_by_role("heading", name="Preview and send").wait_for()
    walker.check(f"{who}-preview")


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_fits_and_loads_cleanly(
    browser: Browser, app: Flask, sandbox: SandboxServer, world: World, width: int
) -> None:
    with LiveServer(app) as server:
        public = Walker(browser, server.url, width)
        walk_public(public, world)
        staff = Walker(browser, server.url, width)
        walk_staff(staff, world, admin=False)
        admin = Walker(browser, server.url, width)
        walk_staff(admin, world, admin=True)
        problems = public.problems + staff.problems + admin.problems
        for walker in (public, staff, admin):
            walker.context.close()
    assert not problems, "\n".join(problems)
