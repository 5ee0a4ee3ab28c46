"""The library service: store, dedupe, retention file deletion and row deletion."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from studio import db
from studio.auth.models import User
from studio.videos import digest, media, samples, services, storage
from studio.videos.models import Video
from tests.videos.conftest import EVERY_PLATFORM


def staff(app: Flask, email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def test_create_video_from_file_stores_a_copy_with_poster(
    app: Flask, users: dict[str, str], sample_mp4: Path
) -> None:
    with app.app_context():
        user = staff(app, users["staff"])
        video = services.create_video_from_file(db.session, sample_mp4, "../Clip.mp4", user)
        assert video.id and video.display_name == "Clip.mp4"
        assert (video.width, video.height, round(video.fps)) == (540, 960, 30)
        assert video.container == "mp4" and video.video_codec == "h264"
        assert video.content_type == "video/mp4" and video.has_file
        assert video.uploaded_by_id == user.id
        assert storage.video_path(video).read_bytes() == sample_mp4.read_bytes()
        assert storage.poster_path(video).read_bytes()[:2] == b"\xff\xd8"
        assert sample_mp4.exists()
        assert video.content_hash == digest.of_file(sample_mp4)
        assert video.size_bytes == sample_mp4.stat().st_size


def test_same_bytes_give_the_existing_video(app: Flask, sample_mp4: Path) -> None:
    with app.app_context():
        first = services.create_video_from_file(db.session, sample_mp4, "a.mp4", None)
        second = services.create_video_from_file(db.session, sample_mp4, "b.mp4", None)
        assert second.id == first.id
        assert db.session.scalar(select(func.count(Video.id))) == 1
        assert len(list(storage.uploads_dir().glob("*.mp4"))) == 1


def test_a_video_stored_before_blake3_is_still_found_by_its_sha256(
    app: Flask, sample_mp4: Path, tmp_path: Path
) -> None:
    """Rows from before migration 0012 hold "sha256:<hex>"; the same bytes match them."""
    with app.app_context():
        first = services.create_video_from_file(db.session, sample_mp4, "a.mp4", None)
        first.content_hash = digest.of_file(sample_mp4, digest.LEGACY)  # as 0012 left it
        db.session.commit()
        assert first.content_hash.startswith("sha256:")
        other = samples.make_video(tmp_path / "other.mp4", seconds=4.0)
        second = services.create_video_from_file(db.session, sample_mp4, "b.mp4", None)
        third = services.create_video_from_file(db.session, other, "c.mp4", None)
        assert second.id == first.id and third.id != first.id
        assert third.content_hash == digest.of_file(other)


def test_a_file_tiktok_refuses_is_kept_when_youtube_takes_it(make_app, tmp_path: Path) -> None:
    path = samples.make_low_fps(tmp_path / "slow.mp4")
    with make_app(**EVERY_PLATFORM).app_context():
        video = services.create_video_from_file(db.session, path, "slow.mp4", None)
        assert video.fps == 15 and storage.video_path(video).exists()


def test_a_file_tiktok_refuses_is_refused_where_only_tiktok_is_offered(
    app: Flask, tmp_path: Path
) -> None:
    """No YouTube client, no Meta app: nothing could publish a 15 fps video, so it is not kept."""
    path = samples.make_low_fps(tmp_path / "slow.mp4")
    with app.app_context():
        with pytest.raises(media.MediaRejected) as caught:
            services.create_video_from_file(db.session, path, "slow.mp4", None)
        assert [v.rule for v in caught.value.violations] == ["tiktok:frame_rate"]
        assert db.session.scalar(select(Video)) is None


def test_rejected_file_names_the_rule(app: Flask, tmp_path: Path) -> None:
    path = samples.make_audio_only(tmp_path / "sound.mp4")
    with app.app_context():
        with pytest.raises(media.MediaRejected) as caught:
            services.create_video_from_file(db.session, path, "sound.mp4", None)
        assert str(caught.value) == "no video stream"
        assert db.session.scalar(select(Video)) is None
        assert not list(storage.uploads_dir().glob("*.mp4"))


def test_delete_file_keeps_the_row(app: Flask, make_stored_video) -> None:
    video = make_stored_video()
    with app.app_context():
        video = services.get_video(db.session, video.id)
        path, poster = storage.video_path(video), storage.poster_path(video)
        services.delete_file(db.session, video, "retention")
        video = services.get_video(db.session, video.id)
        assert video is not None and not video.has_file and video.file_deleted_at
        assert not path.exists() and not poster.exists()


def test_upload_after_retention_gives_the_row_its_file_back(
    app: Flask, make_stored_video, sample_mp4: Path
) -> None:
    video = make_stored_video()
    with app.app_context():
        services.delete_file(db.session, services.get_video(db.session, video.id), "retention")
        again = services.create_video_from_file(db.session, sample_mp4, "again.mp4", None)
        assert again.id == video.id and again.has_file
        assert storage.video_path(again).exists()


def test_library_stats_count_kept_bytes(app: Flask, make_stored_video) -> None:
    first = make_stored_video()
    make_stored_video(seconds=3.5, pattern="flat")
    with app.app_context():
        count, used = services.library_stats(db.session)
        assert count == 2
        services.delete_file(db.session, services.get_video(db.session, first.id), "retention")
        assert services.library_stats(db.session)[1] == used - first.size_bytes


def test_sweeper_removes_only_our_old_unreferenced_files(app: Flask, make_stored_video) -> None:
    import os
    import time

    video = make_stored_video()
    with app.app_context():
        folder = storage.uploads_dir()
        stray = folder / ("ab" * 16 + ".mp4")
        fresh = folder / ("cd" * 16 + ".mp4")
        foreign = folder / "notes.txt"
        for path in (stray, fresh, foreign):
            path.write_bytes(b"x")
        old = time.time() - 7200
        for path in (stray, foreign, folder / video.storage_name):
            os.utime(path, (old, old))
        assert services.purge_orphan_files(db.session) == 1
        assert not stray.exists() and fresh.exists() and foreign.exists()
        assert (folder / video.storage_name).exists()
