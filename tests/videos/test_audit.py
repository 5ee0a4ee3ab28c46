"""Video actions leave audit entries: uploaded, rejected, cancelled, deleted, file removed."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from sqlalchemy import select

from studio import db
from studio.audit.models import AuditEntry
from studio.videos import samples, services
from tests.helpers import csrf_token
from tests.videos.conftest import Uploader


def entries(app: Flask, prefix: str = "video:") -> list[tuple[str, str, str]]:
    with app.app_context():
        rows = db.session.execute(
            select(AuditEntry.kind, AuditEntry.status, AuditEntry.summary)
            .where(AuditEntry.kind.startswith(prefix))
            .order_by(AuditEntry.seq)
        ).all()
        return [tuple(row) for row in rows]


def test_upload_reject_cancel_delete_are_audited(
    app: Flask, uploader: Uploader, sample_mp4: Path, tmp_path: Path
) -> None:
    video_id = uploader.send(sample_mp4.read_bytes(), "ad.mp4").get_json()["video_id"]
    uploader.send(samples.make_audio_only(tmp_path / "slow.mp4").read_bytes(), "slow.mp4")
    url = uploader.create(1000, "gone.mp4").get_json()["url"]
    uploader.delete(url)
    with app.app_context():
        services.delete_file(db.session, services.get_video(db.session, video_id), "retention")
    token = csrf_token(uploader.client, f"/videos/{video_id}")
    uploader.client.post(f"/videos/{video_id}/delete", data={"csrf_token": token})
    kinds = [(kind, status) for kind, status, _ in entries(app)]
    assert kinds == [
        ("video:uploaded", "ok"),
        ("video:rejected", "error"),
        ("video:upload_cancelled", "ok"),
        ("video:file_deleted", "ok"),
        ("video:deleted", "ok"),
    ]
    summaries = [summary for _, _, summary in entries(app)]
    # Summaries are never erased: ids and fixed words, never the file names people typed.
    assert summaries[0] == f"video {video_id} uploaded"
    assert summaries[1] == "upload rejected: video_stream"
    assert "retention" in summaries[3]
    assert not any(name in s for s in summaries for name in ("ad.mp4", "slow.mp4", "gone.mp4"))


def test_a_cancel_that_cannot_be_logged_cancels_nothing(
    app: Flask, uploader: Uploader, instance: Path
) -> None:
    """The entry is written before the delete commits: no entry, no cancel (fails closed)."""
    from tests.audit.conftest import execute

    url = uploader.create(1000, "kept.mp4").get_json()["url"]
    assert uploader.patch(url, 0, b"k" * 300).status_code == 204
    app.config["PROPAGATE_EXCEPTIONS"] = False
    execute(app, "ALTER TABLE audit_entries RENAME TO audit_entries_away")
    try:
        assert uploader.delete(url).status_code == 500
    finally:
        execute(app, "ALTER TABLE audit_entries_away RENAME TO audit_entries")
    assert uploader.head(url).headers["Upload-Offset"] == "300"
    (part,) = (instance / "uploads" / ".partial").iterdir()
    assert part.read_bytes() == b"k" * 300
    assert entries(app, "video:upload_cancelled") == []
