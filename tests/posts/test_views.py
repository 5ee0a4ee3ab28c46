"""Post pages: who may see and retry what, CSRF, live status JSON, no secrets in pages."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from studio import db, vault
from studio.platforms.models import Account, Delivery, DeliveryStatus
from studio.posts.models import Post
from tests.helpers import STAFF_PASSWORD, delivery_of, extract_csrf
from tests.posts.conftest import drive, load, make_post


@pytest.fixture
def failed_post(app, sandbox, account, video) -> int:
    """The admin's post that TikTok failed with a retryable reason."""
    sandbox.configure(fail_reason="internal")
    post = drive(app, make_post(app, video, account))
    sandbox.configure(fail_reason=None)
    assert post.status == DeliveryStatus.FAILED and post.retryable
    return post.post_id


def _login_staff(app):
    client = app.test_client()
    page = client.get("/auth/login").get_data(as_text=True)
    response = client.post(
        "/auth/login",
        data={
            "email": "staff@example.com",
            "password": STAFF_PASSWORD,
            "csrf_token": extract_csrf(page),
        },
    )
    assert response.status_code == 302
    return client


def test_staff_see_every_post_but_retry_only_their_own(app, sandbox, failed_post):
    staff = _login_staff(app)
    listing = staff.get("/posts/").get_data(as_text=True)
    assert f"/posts/{failed_post}" in listing
    page = staff.get(f"/posts/{failed_post}").get_data(as_text=True)
    assert "internal problem" in page and ">Try again</button>" not in page
    response = staff.post(f"/posts/{failed_post}/retry", data={"csrf_token": extract_csrf(page)})
    assert response.status_code == 403
    assert "Only an admin or the person who sent this post" in response.get_data(as_text=True)
    assert load(app, failed_post).status == DeliveryStatus.FAILED
    assert sandbox.state.summary()["counters"]["inits"] == 1


def test_creator_may_retry_their_own_post(app, sandbox, account, video):
    staff = _login_staff(app)
    sandbox.configure(fail_reason="internal")
    post = drive(app, make_post(app, video, account, email="staff@example.com"))
    sandbox.configure(fail_reason=None)
    page = staff.get(f"/posts/{post.post_id}").get_data(as_text=True)
    retry = f"/posts/{post.post_id}/deliveries/{post.id}/retry"  # the delivery's own button
    assert f'action="{retry}"' in page and ">Try again</button>" in page
    form = {"csrf_token": extract_csrf(page)}
    assert (
        staff.post(f"/posts/{post.post_id}/deliveries/{post.id + 1}/retry", data=form).status_code
        == 404
    )
    assert (
        staff.post(f"/posts/{post.post_id + 1}/deliveries/{post.id}/retry", data=form).status_code
        == 404
    )
    assert load(app, post.post_id).status == DeliveryStatus.FAILED
    assert staff.post(retry, data=form).status_code == 302
    assert drive(app, post.post_id).status == DeliveryStatus.IN_INBOX


def test_retry_is_refused_where_it_cannot_help(app, sandbox, sandbox_client, account, video):
    post = drive(app, make_post(app, video, account))
    assert post.status == DeliveryStatus.IN_INBOX
    token = extract_csrf(sandbox_client.get(f"/posts/{post.post_id}").get_data(as_text=True))
    response = sandbox_client.post(f"/posts/{post.post_id}/retry", data={"csrf_token": token})
    assert response.status_code == 302
    assert "cannot be retried" in sandbox_client.get(f"/posts/{post.post_id}").get_data(
        as_text=True
    )
    assert sandbox.state.summary()["counters"]["inits"] == 1


def test_post_routes_need_csrf(app, sandbox_client, failed_post, account, video):
    assert sandbox_client.post(f"/posts/{failed_post}/retry").status_code == 400
    response = sandbox_client.post(
        "/posts/send",
        data={
            "video_id": video.id,
            "account_id": account.id,
            "mode": "draft",
            "consent": "y",
            "nonce": "n" * 20,
        },
    )
    assert response.status_code == 400
    with app.app_context():
        assert len(db.session.scalars(select(Post)).all()) == 1


def test_unknown_posts_are_404(sandbox_client):
    assert sandbox_client.get("/posts/999").status_code == 404
    assert sandbox_client.get("/posts/999/status.json").status_code == 404
    assert sandbox_client.get("/posts/new?video_id=999").status_code == 404


def test_pages_need_login(app, failed_post):
    client = app.test_client()
    for url in (
        "/posts/",
        f"/posts/{failed_post}",
        f"/posts/{failed_post}/status.json",
        "/posts/status.json?ids=1",
        "/posts/new?video_id=1",
    ):
        response = client.get(url)
        assert response.status_code in (302, 401), url


def test_status_json_and_list(app, sandbox_client, failed_post):
    one = sandbox_client.get(f"/posts/{failed_post}/status.json").get_json()
    assert one["id"] == failed_post and len(one["deliveries"]) == 1
    (delivery,) = one["deliveries"]
    assert delivery["status"] == "failed" and delivery["terminal"] and delivery["retryable"]
    assert delivery["fail_reason"] == "internal" and "internal problem" in delivery["fail_message"]
    many = sandbox_client.get(f"/posts/status.json?ids={failed_post},x,999").get_json()
    assert [p["id"] for p in many["posts"]] == [failed_post]
    assert many["posts"][0]["deliveries"] == one["deliveries"]
    dashboard = sandbox_client.get("/dashboard/").get_data(as_text=True)
    assert "1 failed" in dashboard


def test_no_secret_reaches_pages_or_the_database_in_clear(
    app, sandbox, sandbox_client, account, video
):
    post_id = make_post(app, video, account)
    from studio.platforms.lease import Heartbeat
    from studio.platforms.tiktok.sender import Sender
    from studio.posts.parcels import parcel

    with app.app_context():
        post, delivery = db.session.get(Post, post_id), delivery_of(post_id)
        Sender(
            db.session, delivery, parcel(post, delivery), Heartbeat(app, delivery.id, "t", 5)
        ).start()  # init
        upload_url = vault.unwrap(delivery.transfer_url_enc).decode()
        row = db.session.execute(select(Delivery.__table__)).mappings().one()
        tokens = [t.token for t in sandbox.state.access.values()] + list(sandbox.state.refresh)
        account_row = db.session.get(Account, account.id)
        assert account_row is not None
    secret = upload_url.split("upload_token=")[1]
    assert secret not in repr(dict(row))
    pages = "".join(
        sandbox_client.get(url).get_data(as_text=True)
        for url in ("/posts/", f"/posts/{post_id}", f"/posts/{post_id}/status.json")
    )
    for value in [secret, upload_url, *tokens]:
        assert value not in pages
    with app.app_context():
        from studio.audit.models import AuditEntry

        audit = repr([e.__dict__ for e in db.session.scalars(select(AuditEntry))])
    assert "inbox/video/init" in audit
    for value in [secret, *tokens]:
        assert value not in audit
