"""The company's account erased by a public request: staff are told, erased posts leave a
tombstone (request number and date, no content), and admins get an e-mail."""

from __future__ import annotations

from email import message_from_bytes
from email.policy import default

from sqlalchemy import select

from studio import db
from studio.posts.models import PostErasure
from studio.privacy import inventory, mail
from studio.privacy.models import DeletionRequest
from tests.privacy.conftest import delete_now, file_request, verify_with_tiktok


def _erase_account(app, client, sandbox) -> DeletionRequest:
    file_request(client)
    assert verify_with_tiktok(client, sandbox).status_code == 303
    assert delete_now(client).status_code == 303
    with app.app_context():
        return db.session.scalar(select(DeletionRequest).order_by(DeletionRequest.id.desc()))


def test_erased_post_shows_a_tombstone_not_a_404(app, client, sandbox_client, sent_post, sandbox):
    caption = sent_post.caption
    req = _erase_account(app, client, sandbox)
    with app.app_context():
        erased = db.session.get(PostErasure, sent_post.id)
        assert erased is not None and erased.request_id == req.id
    page = sandbox_client.get(f"/posts/{sent_post.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f"by deletion request #{req.id}" in html
    assert "Erased on " + req.completed_at.strftime("%Y-%m-%d") in html
    assert caption not in html and "kettle" not in html  # the content is gone
    assert sandbox_client.get(f"/posts/{sent_post.id + 100}").status_code == 404


def test_dashboard_and_admin_mail_name_the_request(app, client, sandbox_client, sent_post, sandbox):
    req = _erase_account(app, client, sandbox)
    html = sandbox_client.get("/dashboard/").get_data(as_text=True)
    assert f"Erased by deletion request #{req.id}" in html
    assert "1 connected TikTok account" in html and "1 post" in html and "1 video" in html
    with app.app_context():
        messages = [
            message_from_bytes(path.read_bytes(), policy=default)
            for path in sorted(mail.outbox_path().glob("*.eml"))
        ]
    to_admin = [m for m in messages if m["To"] == "admin@example.com"]
    assert len(to_admin) == 1, [m["Subject"] for m in messages]
    body = to_admin[0].get_content()
    assert f"#{req.id}" in to_admin[0]["Subject"]
    assert "1 connected TikTok account, 1 post, 1 video" in body
    assert req.completed_at.strftime("%Y-%m-%d %H:%M UTC") in body
    assert not [m for m in messages if m["To"] == "staff@example.com"]  # admins only


def test_tombstones_are_declared_non_personal_in_the_inventory():
    assert {"post_erasures.post_id", "post_erasures.request_id", "post_erasures.erased_at"} <= (
        inventory.non_personal_columns()
    )
