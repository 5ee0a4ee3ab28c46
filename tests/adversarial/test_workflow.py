"""Attacks on the workflow: approving one's own post, approving without the right, approving a
version nobody looked at, changing another's plan, odd time zones. Nothing may change."""

from __future__ import annotations

import datetime as dt

import pytest

from studio import db
from studio.db import utcnow
from studio.posts import approval
from studio.posts.models import Post
from tests.adversarial.conftest import Snapshot
from tests.helpers import extract_csrf
from tests.posts.conftest import send
from tests.posts.workflow import last_post, local, staff


@pytest.fixture
def approval_app(app):
    app.config["APPROVAL_REQUIRED"] = True
    return app


def _token(client, url: str) -> str:
    return extract_csrf(client.get(url).get_data(as_text=True))


def _planned(client, app, video_id: int, account_id: int) -> int:
    """A post planned for two days ahead by whoever ``client`` is; its id."""
    when = local(utcnow() + dt.timedelta(days=2))
    response, _ = send(client, video_id, account_id, when="later", send_at=when)
    assert response.status_code == 302
    return last_post(app).id


@pytest.mark.parametrize("digest", ["real", "0" * 64, "g" * 64, ""])
def test_the_author_cannot_approve_their_own_post(
    approval_app, sandbox, world, make_stored_video, digest
):
    author = staff(approval_app)
    video = make_stored_video()
    post_id = _planned(author, approval_app, video.id, world["account_id"])
    page = author.get(f"/posts/{post_id}/review").get_data(as_text=True)
    assert "data-approve" not in page
    if digest == "real":
        with approval_app.app_context():
            digest = approval.digest(db.session.get(Post, post_id))
    before = Snapshot(approval_app)
    token = _token(author, f"/posts/{post_id}")
    response = author.post(
        f"/posts/{post_id}/approve", data={"csrf_token": token, "digest": digest}
    )
    assert response.status_code in (302, 400)
    before.assert_unchanged()


def test_staff_cannot_approve_without_the_peer_setting(
    approval_app, sandbox, sandbox_client, world
):
    post_id = _planned(sandbox_client, approval_app, world["video_id"], world["account_id"])
    with approval_app.app_context():
        digest = approval.digest(db.session.get(Post, post_id))  # what the page would carry
    peer = staff(approval_app)
    before = Snapshot(approval_app)
    token = _token(peer, f"/posts/{post_id}")
    response = peer.post(f"/posts/{post_id}/approve", data={"csrf_token": token, "digest": digest})
    assert response.status_code == 302
    follow = peer.get(response.headers["Location"]).get_data(as_text=True)
    assert "You cannot approve this post" in follow
    before.assert_unchanged()


@pytest.mark.parametrize("action", ["reschedule", "cancel", "edit"])
def test_staff_cannot_change_another_persons_plan(app, sandbox, sandbox_client, world, action):
    post_id = _planned(sandbox_client, app, world["video_id"], world["account_id"])
    delivery_id = last_post(app).deliveries[0].id
    peer = staff(app)
    before = Snapshot(app)
    token = _token(peer, f"/posts/{post_id}")
    base = f"/posts/{post_id}"
    url, data = {
        "reschedule": (
            f"{base}/deliveries/{delivery_id}/reschedule",
            {"send_at": "2030-01-01T10:00"},
        ),
        "cancel": (f"{base}/deliveries/{delivery_id}/cancel", {}),
        "edit": (f"{base}/edit", {"caption": "hijacked"}),
    }[action]
    response = peer.post(url, data={"csrf_token": token, **data})
    if action == "edit":
        assert response.status_code == 302
        assert "hijacked" not in peer.get(base).get_data(as_text=True)
    else:
        assert response.status_code == 403
    before.assert_unchanged()


@pytest.mark.parametrize(
    "zone",
    ["../../etc/passwd", "UTC\x00", "Europe/Berlin; DROP TABLE users", "x" * 300, "/etc/localtime"],
)
def test_odd_time_zones_are_refused(app, sandbox_client, world, zone):
    before = Snapshot(app)
    token = _token(sandbox_client, "/staff/profile")
    response = sandbox_client.post("/staff/profile", data={"csrf_token": token, "time_zone": zone})
    assert response.status_code == 400
    expected = "invisible NUL character" if "\x00" in zone else "Choose a time zone from the list."
    assert expected in response.get_data(as_text=True)
    before.assert_unchanged()
