"""Uploads and library writes stay correct when other writers commit in between (SQLite WAL)."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select, text

from studio import db
from studio.auth.models import User
from studio.videos import uploads
from studio.videos.models import UploadSession


def _other_writer_commits(app: Flask, email: str) -> None:
    """Another connection (another worker) commits a write."""
    with app.extensions["db"]["engine"].begin() as conn:
        conn.execute(text("UPDATE users SET email = :email WHERE email = :email"), {"email": email})


def test_starting_an_upload_after_another_writer_committed(app: Flask, users) -> None:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == users["staff"]))  # a read
        _other_writer_commits(app, users["admin"])
        upload = uploads.start_upload(db.session, user, 1000, "clip.mp4")
        assert db.session.get(UploadSession, upload.id).length == 1000
