"""OPERATOR_AI_CONTENT ("our videos are AI-generated") labels every delivery, ticked or not."""

from __future__ import annotations

import pytest
from flask import Flask

from studio import db
from studio.platforms.models import Account, DeliveryStatus
from studio.platforms.youtube import rules as youtube
from tests.conftest import connect_tiktok
from tests.platforms.youtube.support import details
from tests.posts.conftest import drive, send
from tests.posts.workflow import last_post


@pytest.fixture
def app(app: Flask) -> Flask:
    app.config.update(OPERATOR_AI_CONTENT=True, TIKTOK_DIRECT_POST=True)
    return app


def test_the_setting_labels_every_direct_post(app, sandbox, sandbox_client, video):
    assert connect_tiktok(sandbox_client, sandbox, creator="acme").status_code == 302
    with app.app_context():
        acme = db.session.query(Account).order_by(Account.id.desc()).first()
    # Staff leave the box unticked: the company setting labels it anyway.
    response, _ = send(sandbox_client, video.id, acme.id, mode="direct", privacy_level="SELF_ONLY")
    assert response.status_code == 302, response.get_data(as_text=True)
    delivery = drive(app, last_post(app).id)
    assert delivery.status == DeliveryStatus.PUBLISHED
    sent = sandbox.state.summary()["publishes"][delivery.remote_id]["post_info"]
    assert sent["is_aigc"] is True
    assert last_post(app).is_aigc
    page = sandbox_client.get(f"/posts/{delivery.post_id}").get_data(as_text=True)
    assert "AI-generated label: sent with the post" in page


def test_drafts_show_the_label_as_a_to_do(app, sandbox, sandbox_client, account, video):
    preview = send(sandbox_client, video.id, account.id, consent=False)[0]
    assert preview.status_code == 400  # no consent: the preview again, saying what goes out
    response, _ = send(sandbox_client, video.id, account.id)
    assert response.status_code == 302
    delivery = drive(app, last_post(app).id)
    assert delivery.status == DeliveryStatus.IN_INBOX
    page = sandbox_client.get(f"/posts/{delivery.post_id}").get_data(as_text=True)
    assert '<strong class="todo">to do</strong>' in page
    assert "switch on “AI-generated content”" in page


def test_youtube_uploads_declare_synthetic_media(app, sandbox, sandbox_client, account, video):
    send(sandbox_client, video.id, account.id)
    post = last_post(app)
    # YouTube's request takes the post's AI flag (status.containsSyntheticMedia).
    resource = youtube.video_resource(details(synthetic_media=post.is_aigc))
    assert resource["status"]["containsSyntheticMedia"] is True
