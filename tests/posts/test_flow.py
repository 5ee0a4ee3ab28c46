"""End to end through the pages: prepare, preview, consent, send, status."""

from __future__ import annotations

from sqlalchemy import func, select

from studio import db
from studio.platforms.models import DeliveryStatus
from studio.posts.models import Post
from tests.helpers import sent_sha256
from tests.posts.conftest import drive, prepare, send


def test_draft_goes_to_the_inbox(app, sandbox, sandbox_client, account, video):
    preview = prepare(sandbox_client, video.id, account.id)
    html = preview.get_data(as_text=True)
    assert "Acme Studio" in html
    assert "Drafts carry no caption" in html
    assert "New kettle\n\n#kitchen #Kettle" in html or "#kitchen #Kettle" in html
    response, _ = send(sandbox_client, video.id, account.id)
    assert response.status_code == 302
    post_id = int(response.headers["Location"].rsplit("/", 1)[1])
    post = drive(app, post_id)
    assert post.status == DeliveryStatus.IN_INBOX
    assert post.remote_id.startswith("v_inbox_file~")
    state = sandbox.state.summary()
    assert len(state["completed_uploads"]) == 1
    assert state["completed_uploads"][0]["sha256"] == sent_sha256(app, video)
    page = sandbox_client.get(f"/posts/{post_id}").get_data(as_text=True)
    assert "Finish it in TikTok" in page and "Copy caption" in page
    assert "Activity log" in page and "inbox/video/init" in page  # audited against the post
    status = sandbox_client.get(f"/posts/{post_id}/status.json").get_json()
    assert status["id"] == post_id and len(status["deliveries"]) == 1
    (delivery,) = status["deliveries"]
    assert delivery["id"] == post.id and delivery["account_id"] == account.id
    assert delivery["status"] == "in_inbox" and delivery["terminal"] is True


def test_no_consent_nothing_sent(app, sandbox, sandbox_client, account, video):
    response, _ = send(sandbox_client, video.id, account.id, consent=False)
    assert response.status_code == 400
    assert "consent" in response.get_data(as_text=True).lower()
    with app.app_context():
        assert db.session.scalar(select(func.count(Post.id))) == 0
    assert sandbox.state.summary()["counters"].get("inits", 0) == 0


def test_double_submit_creates_one_post(app, sandbox, sandbox_client, account, video):
    first, data = send(sandbox_client, video.id, account.id)
    again = sandbox_client.post("/posts/send", data=data)
    assert first.headers["Location"] == again.headers["Location"]
    with app.app_context():
        assert db.session.scalar(select(func.count(Post.id))) == 1
    assert sandbox.state.summary()["counters"]["inits"] == 1
