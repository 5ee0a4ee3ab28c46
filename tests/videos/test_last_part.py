"""The last part: it commits no offset of its own, so a finish that fails is sent again whole."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest
from flask import Flask

from studio import db
from studio.videos import digest, media
from studio.videos.models import Video
from tests.videos.conftest import Uploader, leftovers


def _all_but_the_last_part(uploader: Uploader, data: bytes) -> str:
    """An upload of `data` with its first 5000 bytes sent; its URL."""
    url = uploader.create(len(data)).get_json()["url"]
    assert uploader.patch(url, 0, data[:5000]).status_code == 204
    return url


def test_a_failed_finish_resumes_from_the_start_of_the_last_part(
    app: Flask, uploader: Uploader, sample_mp4: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = sample_mp4.read_bytes()
    url = _all_but_the_last_part(uploader, data)
    real = media.validate

    def disk_error(*args, **kwargs):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(media, "validate", disk_error)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    assert uploader.patch(url, 5000, data[5000:]).status_code == 500
    monkeypatch.setattr(media, "validate", real)
    # The row still says where the last part began; the part is sent again and finishes.
    assert uploader.head(url).headers["Upload-Offset"] == "5000"
    finished = uploader.patch(url, 5000, data[5000:])
    assert finished.status_code == 200, finished.get_json()
    with app.app_context():
        video = db.session.get(Video, finished.get_json()["video_id"])
        stored = Path(app.instance_path) / "uploads" / video.storage_name
        assert stored.read_bytes() == data
        assert video.content_hash == digest.of_file(stored)
    assert leftovers(app) == []


def test_a_cancel_during_the_last_part_stores_nothing(
    app: Flask, uploader: Uploader, sample_mp4: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The upload is cancelled while its last part is written: 404, no video, no file."""
    data = sample_mp4.read_bytes()
    url = _all_but_the_last_part(uploader, data)
    real = media.validate

    def cancelled_meanwhile(*args, **kwargs):
        assert uploader.delete(url).status_code == 204
        return real(*args, **kwargs)

    monkeypatch.setattr(media, "validate", cancelled_meanwhile)
    response = uploader.patch(url, 5000, data[5000:])
    assert response.status_code == 404
    assert "cancelled" in response.get_json()["error"]["message"]
    with app.app_context():
        assert db.session.query(Video).count() == 0
    assert leftovers(app) == []
