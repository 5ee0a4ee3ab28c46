"""Adding a platform is one package and one registration line: a dummy one, connected and sent to.

Nothing in studio/ names the dummy platform: the test registers it the way a real platform is
registered in `studio/platforms/registry.py`, connects it through the shared OAuth flow, and
the posts room's send job delivers a post to it through the registry.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import select, text

from studio import db
from studio.audit.models import AuditEntry
from studio.platforms import registry
from studio.platforms.models import Account, Delivery, DeliveryStatus
from studio.posts import tasks
from studio.posts.models import Post
from studio.videos.storage import video_path
from tests.helpers import extract_csrf
from tests.platforms import dummy


@pytest.fixture
def app(make_app) -> Iterator[Flask]:
    registry.register(dummy.PLATFORM)
    try:
        yield make_app()
    finally:
        registry.unregister(dummy.NAME)


def _connect(client) -> None:
    csrf = extract_csrf(client.get("/posts/").get_data(as_text=True))
    started = client.post("/dummy/connect", data={"csrf_token": csrf})
    assert started.status_code == 303
    consent = client.get(started.headers["Location"])
    assert consent.status_code == 302
    done = client.get(consent.headers["Location"])
    assert done.status_code == 303, done.get_data(as_text=True)


def _account_id(app: Flask) -> int:
    with app.app_context():
        account = db.session.scalar(select(Account).where(Account.platform == dummy.NAME))
        assert account is not None and account.is_usable
        return account.id


def _prepare(client, video_id: int, account_id: int, label: str):
    page = client.get(f"/posts/new?video_id={video_id}")
    assert page.status_code == 200
    assert f'name="a{account_id}-label"' in page.get_data(as_text=True)  # its own section
    data = {
        "csrf_token": extract_csrf(page.get_data(as_text=True)),
        "video_id": video_id,
        "account_id": account_id,
        "caption": "New kettle",
        f"a{account_id}-label": label,
    }
    return client.post("/posts/new", data=data), data


def test_a_registered_platform_is_connected_and_sent_to(app, admin_client, make_stored_video):
    _connect(admin_client)
    account_id = _account_id(app)
    video = make_stored_video()
    preview, data = _prepare(admin_client, video.id, account_id, "kettle-1")
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200, html
    assert "Label: kettle-1" in html  # the preview shows what the platform will receive
    assert "I want to send this video to the Dummy account “Dummy shop”." in html
    data.update(
        csrf_token=extract_csrf(html),
        nonce=re.search(r'name="nonce" type="hidden" value="([^"]+)"', html).group(1),
        consent="y",
    )
    sent = admin_client.post("/posts/send", data=data)
    assert sent.status_code in (302, 303), sent.get_data(as_text=True)
    post_id = int(sent.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    with app.app_context():
        delivery = db.session.scalars(select(Delivery).where(Delivery.post_id == post_id)).one()
        # The eager queue of the tests ran the send job as it was enqueued.
        assert delivery.platform == dummy.NAME
        assert delivery.status == DeliveryStatus.PUBLISHED, delivery.status_note
        expected = hashlib.sha256(video_path(video).read_bytes()).hexdigest()
        assert dummy.RECEIVED[delivery.remote_id or ""] == (expected, {"label": "kettle-1"})
        notes = db.session.scalars(
            select(AuditEntry.summary).where(AuditEntry.post_id == post_id)
        ).all()
        assert any("Published" in note for note in notes), notes
        assert (str(account_id), f"Dummy: Dummy shop (#{account_id})") in (
            registry.account_choices(db.session)
        )
    page = admin_client.get(f"/posts/{post_id}")
    assert page.status_code == 200
    assert "Dummy shop" in page.get_data(as_text=True)
    status = admin_client.get(f"/posts/{post_id}/status.json").get_json()
    assert [d["status"] for d in status["deliveries"]] == ["published"]


def test_its_rules_refuse_bad_options_and_store_nothing(app, admin_client, make_stored_video):
    _connect(admin_client)
    account_id = _account_id(app)
    video = make_stored_video()
    preview, _data = _prepare(admin_client, video.id, account_id, "x" * 21)
    assert preview.status_code == 400
    assert "Dummy labels are at most 20 characters." in preview.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(Delivery)).all() == []


def test_the_token_is_stored_encrypted(app, admin_client):
    _connect(admin_client)
    with app.app_context():
        account = db.session.scalar(select(Account).where(Account.platform == dummy.NAME))
        assert account is not None
        token = dummy.Tokens.call_with_token(db.session, account.id, lambda t: t)
        assert token.startswith("dummy-token-")
        rows = db.session.execute(text("SELECT * FROM accounts")).all()
    assert token not in repr(rows)


def test_an_unregistered_platform_fails_visibly(app, admin_client, make_stored_video):
    _connect(admin_client)
    video = make_stored_video()
    with app.app_context():
        account = db.session.scalar(select(Account).where(Account.platform == dummy.NAME))
        assert account is not None
        post = Post(idempotency_key=secrets.token_hex(8), video_id=video.id)
        post.deliveries.append(Delivery(account_id=account.id, platform="gone"))
        db.session.add(post)
        db.session.commit()
        delivery_id = post.deliveries[0].id
        app.config["POSTS_MAX_ATTEMPTS"] = 0
        assert tasks.run(delivery_id) == "error"
        delivery = db.session.get(Delivery, delivery_id)
        assert delivery is not None
        assert delivery.status == DeliveryStatus.FAILED
        assert delivery.fail_reason == "unexpected"
