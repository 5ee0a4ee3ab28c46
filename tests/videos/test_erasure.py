"""The videos room's erasure: files and records of the given videos go, nobody else's."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Flask
from sqlalchemy import select

from studio import db
from studio.videos import erasure, storage
from studio.videos.models import Video
from tests.helpers import add_account, add_post


def test_erase_videos_removes_files_and_unused_records_only(
    app: Flask, make_stored_video: Any
) -> None:
    unused = make_stored_video()
    used = make_stored_video(seconds=3.2)
    other = make_stored_video(seconds=3.4)
    with app.app_context():
        add_post(add_account("sbx-open-id-user-0001").id, used.id)
        paths = {
            v.id: storage.video_path(db.session.get_one(Video, v.id)) for v in (unused, used, other)
        }

        counts = erasure.erase_videos(db.session, [unused.id, used.id], "test erasure")

        assert counts["videos"] == 1 and counts["video_files"] >= 2
        assert db.session.get(Video, unused.id) is None
        kept = db.session.get_one(Video, used.id)  # a post still refers to it: the row stays
        assert not kept.has_file and not paths[used.id].exists()
        assert not paths[unused.id].exists()
        assert db.session.get_one(Video, other.id).has_file and paths[other.id].exists()
        assert erasure.erase_videos(db.session, [unused.id, used.id], "again") == {}


def test_purge_expired_files_keeps_records_and_younger_files(
    app: Flask, make_stored_video: Any
) -> None:
    old, young = make_stored_video(), make_stored_video(seconds=3.2)
    with app.app_context():
        db.session.get_one(Video, old.id).created_at = db.utcnow() - dt.timedelta(days=100)
        db.session.commit()
        cutoff = db.utcnow() - dt.timedelta(days=30)
        assert erasure.purge_expired_files(db.session, cutoff, dry_run=True) == 1
        assert db.session.get_one(Video, old.id).has_file
        assert erasure.purge_expired_files(db.session, cutoff) == 1
        assert not db.session.get_one(Video, old.id).has_file
        assert db.session.get_one(Video, young.id).has_file
        assert sorted(db.session.scalars(select(Video.id))) == sorted([old.id, young.id])
