"""Posts fixtures: an app on the sandbox with fast retries, a connected account, a video."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from studio import db
from studio.platforms.models import Delivery
from tests.helpers import delivery_of, extract_csrf

FAST = {
    "POSTS_RETRY_BASE": 0.01,
    "POSTS_RETRY_CAP": 0.05,
    "POSTS_POLL_BASE": 0.02,
    "POSTS_POLL_CAP": 0.1,
    "POSTS_LEASE_SECONDS": 5,
}
_NONCE = re.compile(r'name="nonce" type="hidden" value="([^"]+)"')


@pytest.fixture
def app(sandbox_app: Flask) -> Flask:
    """Every posts test talks to the sandbox; retries and polls are quick."""
    sandbox_app.config.update(FAST)
    return sandbox_app


@pytest.fixture
def account(connected_account: Any) -> Any:
    """The "acme" creator connected through the real OAuth flow."""
    return connected_account


@pytest.fixture
def video(make_stored_video: Any) -> Any:
    """A small valid MP4 in the library."""
    return make_stored_video()


OPTION_FIELDS = {"mode", "privacy_level", "allow_comment", "allow_duet", "allow_stitch"}
OPTION_FIELDS |= {"commercial", "brand_organic", "brand_content"}


def named(account_id: int, fields: dict[str, Any]) -> dict[str, Any]:
    """The form's names: a target's TikTok options carry the target's prefix."""
    return {(f"a{account_id}-{k}" if k in OPTION_FIELDS else k): v for k, v in fields.items()}


def prepare(client: FlaskClient, video_id: int, account_id: int, **fields: Any):
    """POST the prepare form; returns the preview response."""
    page = client.get(f"/posts/new?video_id={video_id}")
    assert page.status_code == 200, page.get_data(as_text=True)
    data = {
        "csrf_token": extract_csrf(page.get_data(as_text=True)),
        "video_id": video_id,
        "account_id": account_id,
        "mode": "draft",
        "caption": "New kettle",
        "hashtags": "kitchen, #Kettle",
        **fields,
    }
    return client.post("/posts/new", data=named(account_id, data))


def send(client: FlaskClient, video_id: int, account_id: int, consent: bool = True, **fields: Any):
    """Prepare, read the preview's form, then POST send (with consent unless told otherwise)."""
    preview = prepare(
        client, video_id, account_id, **{k: v for k, v in fields.items() if k in PREPARE_FIELDS}
    )
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200, html
    data = {
        "csrf_token": extract_csrf(html),
        "nonce": _NONCE.search(html).group(1),
        "video_id": video_id,
        "account_id": account_id,
        "mode": "draft",
        "caption": "New kettle",
        "hashtags": "kitchen, #Kettle",
        **fields,
    }
    if consent:
        data["consent"] = "y"
    return client.post("/posts/send", data=named(account_id, data)), data


PREPARE_FIELDS = {"mode", "caption", "hashtags", "product_name", "product_sku", "is_aigc"}


def drive(app: Flask, post_id: int, timeout: float = 20.0) -> Delivery:
    """Run the sweeper until the post's delivery is terminal (eager huey runs each enqueue
    inline); returns the delivery."""
    from studio.posts import tasks

    deadline = time.monotonic() + timeout
    with app.app_context():
        while time.monotonic() < deadline:
            delivery = delivery_of(post_id)
            if delivery.is_terminal:
                return delivery
            if delivery.next_attempt_at is not None:
                delivery.next_attempt_at = None  # tests do not wait for scheduled retries
                db.session.commit()
            tasks.sweep()
            time.sleep(0.02)
        delivery = delivery_of(post_id)
        raise AssertionError(
            f"post {post_id} did not finish: {delivery.status} {delivery.status_note!r} "
            f"lease={delivery.lease_owner}/{delivery.lease_until} attempts={delivery.attempts}"
        )


def load(app: Flask, post_id: int) -> Delivery:
    """A fresh copy of the post's (only) delivery."""
    with app.app_context():
        return delivery_of(post_id)


def delivery_id(app: Flask, post_id: int) -> int:
    """The id of the post's only delivery."""
    with app.app_context():
        return delivery_of(post_id).id


def make_post(
    app: Flask, video: Any, account: Any, email: str = "admin@example.com", **fields: Any
) -> int:
    """Create a consented post through the service without running the job; returns its id."""
    import secrets as _secrets

    from sqlalchemy import select

    from studio.auth.models import User
    from studio.platforms.models import Mode
    from studio.posts.services import Draft, create_post

    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        draft = Draft(
            video_id=video.id,
            account_id=account.id,
            mode=Mode(fields.pop("mode", "draft")),
            caption=fields.pop("caption", "Kettle"),
            hashtags_raw=fields.pop("hashtags", "kitchen"),
            consent=True,
            **fields,
        )
        post, _created = create_post(db.session, user, draft, _secrets.token_urlsafe(16))
        return post.id


def queue_held_upload(app: Flask, sandbox: Any, account: Any, size: int) -> tuple[Any, int]:
    """Queue the send of a `size`-byte video (two chunks, for sizes of 64 to 96 MB): the sandbox
    takes the first chunk and parks the second on arrival (`held_chunk` waits for it), so a
    test acts mid-upload. Returns the video and the post's id."""
    from studio.posts import tasks
    from studio.sandbox import holds
    from tests.workers import big_video

    video = big_video(app, size)
    holds.arm(sandbox.state, ["/upload/"], skip=1)
    post_id = make_post(app, video, account)
    with app.app_context():
        tasks.send_delivery(delivery_of(post_id).id)
    return video, post_id


def held_chunk(sandbox: Any, phase: str = "before", worker: Any = None) -> Any:
    """Wait until the sandbox parked the held chunk at `phase` ("before": on its way;
    "mid_body": half of it sent), moving it there from arrival; returns the parked call."""
    from studio.sandbox import holds
    from tests.workers import wait_for

    what = f"the second chunk to be parked at {phase}"
    held = wait_for(lambda: holds.parked(sandbox.state), 60, what, worker)[0]
    if held.phase != phase:
        holds.release(sandbox.state, held.id, then=phase)
        held = wait_for(lambda: holds.parked(sandbox.state), 60, what, worker)[0]
    return held


def run_once(app: Flask, post_id: int) -> str:
    """One run of the send task for the post's delivery, as a worker would do it."""
    from studio.posts import tasks

    with app.app_context():
        return tasks.run(delivery_of(post_id).id)
