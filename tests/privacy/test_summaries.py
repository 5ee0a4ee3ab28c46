"""Audit summaries are chained and never erased, so they hold ids and fixed words only."""

from __future__ import annotations

from sqlalchemy import select

from studio import db
from studio.audit.models import AuditEntry
from studio.posts.models import Post
from studio.sandbox.creators import by_id
from studio.videos.models import Video
from tests.helpers import csrf_token
from tests.privacy.conftest import delete_now, file_request, verify_with_tiktok


def _personal(app, sent_post, users) -> dict[str, str]:
    acme = by_id("acme")
    with app.app_context():
        post = db.session.get(Post, sent_post.id)
        video = db.session.get(Video, sent_post.video_id)
        needles = {
            "publish_id": post.deliveries[0].remote_id,
            "video name": video.display_name,
            "storage name": video.storage_name,
        }
    needles.update({f"e-mail {k}": v for k, v in users.items()})
    needles.update({"open_id": acme.open_id, "display name": acme.display_name})
    needles["new staff e-mail"] = "new.person@example.com"
    return needles


def test_audit_summaries_hold_no_personal_data(
    app, client, sandbox_client, runner, sandbox, sent_post, users
):
    needles = _personal(app, sent_post, users)
    assert needles["publish_id"]
    # Staff work: create a user (CLI and page), disconnect the account, then the owner's
    # deletion request; every kind of room writes summaries on the way.
    password = "a long passphrase for the cli\n"
    result = runner.invoke(args=["create-user", "cli.person@example.com"], input=password * 2)
    needles["cli e-mail"] = "cli.person@example.com"
    token = csrf_token(sandbox_client, "/staff/")
    sandbox_client.post(
        "/staff/", data={"email": needles["new staff e-mail"], "role": "staff", "csrf_token": token}
    )
    token = csrf_token(sandbox_client, "/tiktok/")
    sandbox_client.post(
        f"/tiktok/{sent_post.deliveries[0].account_id}/disconnect", data={"csrf_token": token}
    )
    file_request(client)
    assert verify_with_tiktok(client, sandbox).status_code == 303
    assert delete_now(client).status_code == 303
    with app.app_context():
        summaries = db.session.scalars(select(AuditEntry.summary)).all()
    assert len(summaries) > 10, result.output
    for expected in ("created staff #", "disconnected TikTok account #", "TikTok accepted the"):
        assert any(expected in s for s in summaries), expected
    found = {k: s for s in summaries for k, v in needles.items() if v and v.lower() in s.lower()}
    assert found == {}
