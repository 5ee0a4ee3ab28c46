"""`flask purge`: retention periods from the inventory, with a dry run."""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path

from sqlalchemy import func, select

from studio import db
from studio.audit.models import AuditEntry
from studio.platforms import inbox
from studio.platforms.models import WebhookDelivery
from studio.privacy.models import (
    DeletionBrowser,
    DeletionLink,
    DeletionRequest,
    RequestStatus,
)
from tests.privacy.conftest import file_by_email, file_request


def _age_everything(app, days: int) -> None:
    with app.app_context():
        for req in db.session.scalars(select(DeletionRequest)):
            req.received_at -= dt.timedelta(days=days)
        for row in db.session.scalars(select(WebhookDelivery)):
            row.received_at -= dt.timedelta(days=days)
        db.session.commit()


def test_dry_run_shows_and_purge_deletes(app, client, runner):
    file_request(client)
    with app.app_context():
        received = inbox.store(db.session, "tiktok", "post.publish.complete", b"{}")
        inbox.finish(db.session, received.delivery, "ignored")
    outbox = Path(app.instance_path, "outbox")
    outbox.mkdir(exist_ok=True)
    old_mail = outbox / "old.eml"
    old_mail.write_text("Subject: old\n\nbody")
    past = time.time() - 40 * 86400
    os.utime(old_mail, (past, past))
    _age_everything(app, 20)

    result = runner.invoke(args=["purge", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Would delete 1 deletion requests never verified" in result.output
    assert "Would delete 1 processed webhook deliveries" in result.output
    assert "Would delete 1 outgoing e-mail" in result.output
    assert old_mail.exists()
    with app.app_context():
        assert db.session.scalar(select(DeletionRequest.status)) == RequestStatus.RECEIVED

    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    assert "Deleted 1 deletion requests never verified" in result.output
    assert not old_mail.exists()
    with app.app_context():
        req = db.session.scalar(select(DeletionRequest))
        assert req.status == RequestStatus.REJECTED and "not verified within" in req.reason
        assert req.subject_enc is None
        assert db.session.scalar(select(func.count(WebhookDelivery.id))) == 0
        kinds = list(db.session.scalars(select(AuditEntry.kind)))
        assert "retention:purged" in kinds
    assert "Nothing is past" in runner.invoke(args=["purge"]).output


def test_expired_links_and_browser_holds_are_purged(app, client, runner, users):
    """A mailed link and the filing browser's hold are deleted once past their expiry."""
    file_by_email(client)
    with app.app_context():
        for model in (DeletionLink, DeletionBrowser):
            assert db.session.scalar(select(func.count(model.id))) == 1
    assert runner.invoke(args=["purge"]).exit_code == 0
    with app.app_context():  # nothing is past its expiry yet: both stay
        for model in (DeletionLink, DeletionBrowser):
            assert db.session.scalar(select(func.count(model.id))) == 1
            for row in db.session.scalars(select(model)):
                row.expires_at = db.utcnow() - dt.timedelta(seconds=1)
        db.session.commit()
    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        for model in (DeletionLink, DeletionBrowser):
            assert db.session.scalar(select(func.count(model.id))) == 0


def test_old_receipts_are_deleted(app, client, runner):
    file_request(client)
    runner.invoke(args=["purge"])
    _age_everything(app, 5 * 365)
    result = runner.invoke(args=["purge"])
    assert "Deleted 1 deletion receipts" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(DeletionRequest.id))) == 0


def test_expired_video_files_are_removed(app, runner, make_stored_video):
    video = make_stored_video()
    with app.app_context():
        from studio.videos.models import Video

        row = db.session.get(Video, video.id)
        row.created_at -= dt.timedelta(days=30)
        db.session.commit()
    result = runner.invoke(args=["purge"])
    assert "Deleted 1 video files" in result.output
    assert "Deleted 1 records of videos whose file is gone" in result.output
    with app.app_context():
        assert db.session.get(Video, video.id) is None


def test_video_records_stay_while_a_post_refers_to_them(app, runner, sent_post):
    from studio.posts.models import Post
    from studio.videos.models import Video

    with app.app_context():
        row = db.session.get(Video, sent_post.video_id)
        row.created_at -= dt.timedelta(days=30)
        db.session.commit()
    assert "Deleted 1 video files" in runner.invoke(args=["purge"]).output
    with app.app_context():
        assert db.session.get(Video, sent_post.video_id).file_deleted_at is not None
        db.session.delete(db.session.get(Post, sent_post.id))
        db.session.commit()
    assert "Would delete 1 records of videos" in runner.invoke(args=["purge", "--dry-run"]).output
    assert "Deleted 1 records of videos" in runner.invoke(args=["purge"]).output
    with app.app_context():
        assert db.session.get(Video, sent_post.video_id) is None


def test_tokens_past_the_refresh_expiry_are_erased(app, runner, connected_account):
    from studio.platforms.models import Account, AccountStatus

    with app.app_context():
        row = db.session.get(Account, connected_account.id)
        row.refresh_expires_at = db.utcnow() - dt.timedelta(minutes=1)
        db.session.commit()
    assert "Would delete 1 TikTok token sets" in runner.invoke(args=["purge", "--dry-run"]).output
    with app.app_context():
        assert db.session.get(Account, connected_account.id).data_key
    assert "Deleted 1 TikTok token sets" in runner.invoke(args=["purge"]).output
    with app.app_context():
        row = db.session.get(Account, connected_account.id)
        assert not (row.data_key or row.access_token_enc or row.refresh_token_enc)
        assert row.status == AccountStatus.NEEDS_RECONNECT and row.remote_id
