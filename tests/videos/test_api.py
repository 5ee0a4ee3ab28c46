"""The resumable upload protocol through the real endpoints: parts, offsets, limits, clean-up."""

from __future__ import annotations

import datetime as dt
import errno
import fcntl
import io
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select, update

from studio import db
from studio.videos import parts, samples
from studio.videos.models import UploadSession, Video
from tests.videos.conftest import PART_TYPE, Uploader, leftovers, uploader_for


def stored_files(app: Flask) -> list[str]:
    """Files in the library folder (not the part-file folder)."""
    folder = Path(app.instance_path) / "uploads"
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))


def counts(app: Flask) -> tuple[int, int]:
    """(videos, upload sessions) in the database."""
    with app.app_context():
        videos = db.session.scalar(select(func.count(Video.id)))
        sessions = db.session.scalar(select(func.count(UploadSession.id)))
        return videos, sessions


def test_upload_in_parts_makes_a_video(app: Flask, uploader: Uploader, sample_mp4: Path) -> None:
    data = sample_mp4.read_bytes()
    response = uploader.send(data, "Launch teaser.mp4", part=10_000)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["duplicate"] is False and body["name"] == "Launch teaser.mp4"
    assert body["url"] == f"/videos/{body['video_id']}"
    with app.app_context():
        video = db.session.get(Video, body["video_id"])
        stored = Path(app.instance_path) / "uploads" / video.storage_name
        assert stored.read_bytes() == data
        assert video.storage_name.endswith(".mp4") and "Launch" not in video.storage_name
        assert video.uploaded_by.email == "admin@example.com"
    assert counts(app) == (1, 0)
    assert leftovers(app) == []


def test_create_reports_offset_and_part_size(uploader: Uploader) -> None:
    response = uploader.create(1000)
    assert response.status_code == 201
    body = response.get_json()
    assert body["offset"] == 0 and body["length"] == 1000
    assert body["part_bytes"] == 8 * 1024 * 1024 and body["max_part_bytes"] == 64 * 1024 * 1024
    assert response.headers["Location"] == body["url"]
    head = uploader.head(body["url"])
    assert head.status_code == 200
    assert head.headers["Upload-Offset"] == "0" and head.headers["Upload-Length"] == "1000"
    assert head.headers["Cache-Control"] == "no-store"


# Files TikTok refuses that another platform (YouTube) takes: kept, with TikTok's rule on the page.
TIKTOK_ONLY_REFUSES = {
    "low_fps": (samples.make_low_fps, "frame rate 15 fps; TikTok needs 23–60"),
    "small": (samples.make_small, "width 320 px; TikTok needs 360–4096"),
    "wrong_codec": (samples.make_wrong_codec, "video codec mpeg4; TikTok accepts H.264"),
    "too_short": (lambda p: samples.make_video(p, seconds=1.0), "TikTok needs at least 3 s"),
}
# Files no platform takes: refused at upload, every rule named.
REJECTIONS = {
    "not_video": (samples.make_not_video, "not a video file; the library takes MP4, MOV or WebM"),
    "polyglot": (samples.make_polyglot, "file is damaged"),
    "audio_only": (samples.make_audio_only, "no video stream"),
    "mkv": (
        lambda p: samples.make_video(p, container="mkv", pattern="flat"),
        "container matroska; the library takes MP4, MOV or WebM",
    ),
}


@pytest.mark.parametrize("kind", sorted(TIKTOK_ONLY_REFUSES))
def test_a_video_another_platform_takes_is_kept_with_tiktoks_rule_on_its_page(
    app: Flask, offering_uploader: Uploader, tmp_path: Path, kind: str
) -> None:
    build, message = TIKTOK_ONLY_REFUSES[kind]
    path = build(tmp_path / "upload.mp4")
    response = offering_uploader.send(path.read_bytes(), "upload.mp4")
    assert response.status_code == 200, response.get_json()
    page = offering_uploader.client.get(response.get_json()["url"]).get_data(as_text=True)
    assert "<strong>TikTok:</strong> " in page and message in page
    assert "<strong>YouTube:</strong> yes" in page
    assert counts(app) == (1, 0)


@pytest.mark.parametrize("kind", sorted(REJECTIONS))
def test_every_rule_is_named_through_the_endpoint(
    app: Flask, uploader: Uploader, tmp_path: Path, kind: str
) -> None:
    build, message = REJECTIONS[kind]
    path = build(tmp_path / "upload.mp4")
    response = uploader.send(path.read_bytes(), "upload.mp4")
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert any(message in v for v in error["violations"]), error
    assert error["message"] == "upload.mp4 cannot be published on any of the platforms:"
    assert counts(app) == (0, 0)
    assert leftovers(app) == []
    assert stored_files(app) == []


def test_truncated_upload_is_rejected(
    app: Flask, uploader: Uploader, sample_mp4: Path, tmp_path: Path
) -> None:
    data = sample_mp4.read_bytes()
    response = uploader.send(data[: len(data) * 2 // 3])
    assert response.status_code == 422
    assert "truncated" in " ".join(response.get_json()["error"]["violations"])
    assert counts(app) == (0, 0) and leftovers(app) == []


def test_over_the_limit_is_refused_up_front_with_the_limit_in_words(make_app, users) -> None:
    app = make_app(MAX_VIDEO_BYTES=5 * 1024 * 1024)
    client = app.test_client()
    from tests.conftest import AuthActions

    AuthActions(app, client).login()
    response = uploader_for(client).create(6 * 1024 * 1024, "huge.mp4")
    assert response.status_code == 413
    message = response.get_json()["error"]["message"]
    assert message == "This file is 6 MiB; videos can be at most 5 MiB."
    assert counts(app) == (0, 0) and leftovers(app) == []


def test_parts_stay_under_the_request_cap(make_app, users) -> None:
    app = make_app(MAX_CONTENT_LENGTH=64 * 1024 * 1024)
    client = app.test_client()
    from tests.conftest import AuthActions

    AuthActions(app, client).login()
    body = uploader_for(client).create(1000).get_json()
    assert (body["part_bytes"], body["max_part_bytes"]) == (8 * 1024 * 1024, 60 * 1024 * 1024)


def test_the_largest_part_fits_the_request_cap(make_app, users) -> None:
    app = make_app(MAX_CONTENT_LENGTH=64 * 1024)
    client = app.test_client()
    from tests.conftest import AuthActions

    AuthActions(app, client).login()
    uploader = uploader_for(client)
    created = uploader.create(200 * 1024)
    assert created.get_json()["max_part_bytes"] == 60 * 1024
    url = created.get_json()["url"]
    assert uploader.patch(url, 0, b"\0" * (64 * 1024 + 1)).status_code == 413
    assert uploader.patch(url, 0, b"\0" * (60 * 1024)).status_code == 204


def test_no_room_on_disk_is_507(make_app, users) -> None:
    app = make_app(UPLOAD_RESERVE_BYTES=2**62)
    client = app.test_client()
    from tests.conftest import AuthActions

    AuthActions(app, client).login()
    response = uploader_for(client).create(1000)
    assert response.status_code == 507
    assert "does not have room" in response.get_json()["error"]["message"]
    assert counts(app) == (0, 0) and leftovers(app) == []


def test_mismatched_offset_is_409_with_the_server_offset(uploader: Uploader) -> None:
    url = uploader.create(1000).get_json()["url"]
    assert uploader.patch(url, 0, b"x" * 300).status_code == 204
    response = uploader.patch(url, 100, b"y" * 300)
    assert response.status_code == 409
    assert response.headers["Upload-Offset"] == "300"
    assert response.get_json()["error"]["offset"] == 300
    assert uploader.head(url).headers["Upload-Offset"] == "300"


def test_resume_after_a_dropped_connection(
    app: Flask, uploader: Uploader, sample_mp4: Path
) -> None:
    """The body stops halfway (client gone): the bytes that arrived count, the rest resumes."""
    data = sample_mp4.read_bytes()
    url = uploader.create(len(data)).get_json()["url"]
    half = len(data) // 2
    dropped = uploader.client.patch(
        url,
        input_stream=io.BytesIO(data[:half]),
        headers={
            "X-CSRFToken": uploader.token,
            "Content-Type": PART_TYPE,
            "Upload-Offset": "0",
            "Content-Length": str(len(data)),
        },
    )
    assert dropped.status_code == 204  # nobody reads this answer; the server kept what came
    offset = int(uploader.head(url).headers["Upload-Offset"])
    assert offset == half
    finished = uploader.patch(url, offset, data[offset:])
    assert finished.status_code == 200, finished.get_json()
    with app.app_context():
        video = db.session.get(Video, finished.get_json()["video_id"])
        assert (Path(app.instance_path) / "uploads" / video.storage_name).read_bytes() == data
    assert leftovers(app) == []


def test_resume_after_the_hash_state_is_lost(
    app: Flask, uploader: Uploader, sample_mp4: Path
) -> None:
    """A part that lands in another worker has no running hash: it is computed from disk."""
    data = sample_mp4.read_bytes()
    url = uploader.create(len(data)).get_json()["url"]
    assert uploader.patch(url, 0, data[:5000]).status_code == 204
    parts._HASHERS.clear()
    response = uploader.patch(url, 5000, data[5000:])
    assert response.status_code == 200
    with app.app_context():
        from studio.videos import digest

        video = db.session.get(Video, response.get_json()["video_id"])
        stored = Path(app.instance_path) / "uploads" / video.storage_name
        assert video.content_hash == digest.of_file(stored)


def test_cancel_leaves_no_file_or_row(app: Flask, uploader: Uploader) -> None:
    url = uploader.create(1000).get_json()["url"]
    uploader.patch(url, 0, b"x" * 400)
    assert leftovers(app)
    response = uploader.delete(url)
    assert response.status_code == 204
    assert counts(app) == (0, 0) and leftovers(app) == []
    assert uploader.head(url).status_code == 404
    assert uploader.patch(url, 400, b"x").status_code == 404


def test_interrupted_upload_is_removed_by_the_cleanup_task(app: Flask, uploader: Uploader) -> None:
    url = uploader.create(1000).get_json()["url"]
    uploader.patch(url, 0, b"x" * 400)
    from studio.videos.tasks import purge_stale_uploads

    with app.app_context():
        assert purge_stale_uploads.call_local() == 0  # not expired yet: kept
        assert counts(app) == (0, 1) and len(leftovers(app)) == 1
        past = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
        db.session.execute(update(UploadSession).values(expires_at=past))
        db.session.commit()
        assert purge_stale_uploads.call_local() == 1
    assert counts(app) == (0, 0) and leftovers(app) == []
    assert uploader.head(url).status_code == 404


def test_duplicate_is_offered_as_the_existing_video(
    app: Flask, uploader: Uploader, sample_mp4: Path
) -> None:
    data = sample_mp4.read_bytes()
    first = uploader.send(data, "first.mp4").get_json()
    again = uploader.send(data, "second.mp4")
    assert again.status_code == 200
    body = again.get_json()
    assert body["duplicate"] is True and body["video_id"] == first["video_id"]
    assert body["message"] == "You already uploaded this video."
    assert body["url"] == first["url"]
    assert counts(app) == (1, 0) and leftovers(app) == []
    assert len([name for name in stored_files(app) if name.endswith(".mp4")]) == 1


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("../../etc/passwd.mp4", "passwd.mp4"),
        ("..\\..\\boot.ini.mp4", "boot.ini.mp4"),
        ("evil\u202egpj.mp4", "evilgpj.mp4"),
        ("zero\u200bwidth\u200d.mp4", "zerowidth.mp4"),
        ("nul\x00byte.mp4", "nul byte.mp4"),
        ("/", "video.mp4"),
    ],
)
def test_client_file_names_are_cleaned_and_never_paths(
    app: Flask, uploader: Uploader, sample_mp4: Path, raw: str, shown: str
) -> None:
    created = uploader.create(sample_mp4.stat().st_size, raw)
    assert created.status_code == 201
    assert created.get_json()["name"] == shown
    url = created.get_json()["url"]
    response = uploader.patch(url, 0, sample_mp4.read_bytes())
    assert response.status_code == 200
    with app.app_context():
        video = db.session.get(Video, response.get_json()["video_id"])
        assert video.display_name == shown
        assert len(video.storage_name) == 36  # 32 hex characters + ".mp4"
    uploads_dir = Path(app.instance_path) / "uploads"
    assert {p.name for p in uploads_dir.iterdir()} == {
        video.storage_name,
        video.poster_name,
        ".partial",
    }


def test_uploads_belong_to_their_owner(app: Flask, uploader: Uploader, make_app) -> None:
    url = uploader.create(1000).get_json()["url"]
    other = app.test_client()
    from tests.conftest import AuthActions
    from tests.helpers import STAFF_PASSWORD

    AuthActions(app, other).login("staff@example.com", STAFF_PASSWORD)
    theirs = uploader_for(other)
    assert theirs.head(url).status_code == 404
    assert theirs.patch(url, 0, b"x").status_code == 404
    assert theirs.delete(url).status_code == 404
    assert uploader.head(url).status_code == 200


@pytest.mark.parametrize("method", ["post", "patch", "delete"])
def test_missing_csrf_token_is_a_json_error(uploader: Uploader, method: str) -> None:
    url = uploader.create(1000).get_json()["url"]
    target = "/videos/uploads" if method == "post" else url
    response = getattr(uploader.client, method)(
        target, data=b"x", headers={"Content-Type": PART_TYPE, "Upload-Offset": "0"}
    )
    assert response.status_code in (400, 403)
    assert "CSRF" in response.get_json()["error"]["message"]
    assert uploader.head(url).headers["Upload-Offset"] == "0"


def test_signed_out_gets_json_401(client) -> None:
    response = client.head("/videos/uploads/" + "a" * 32)
    assert response.status_code == 401
    response = client.get("/videos/uploads/" + "a" * 32)
    assert "Sign in" in response.get_json()["error"]["message"]


def test_wrong_content_type_is_415(uploader: Uploader) -> None:
    url = uploader.create(1000).get_json()["url"]
    response = uploader.patch(url, 0, b"x", **{"Content-Type": "video/mp4"})
    assert response.status_code == 415


def test_body_longer_than_declared_is_refused(app: Flask, uploader: Uploader) -> None:
    url = uploader.create(100).get_json()["url"]
    response = uploader.patch(url, 0, b"x" * 150)
    assert response.status_code == 400
    assert uploader.head(url).headers["Upload-Offset"] == "0"


def test_a_part_while_another_is_writing_is_423(app: Flask, uploader: Uploader) -> None:
    url = uploader.create(100).get_json()["url"]
    (part,) = (Path(app.instance_path) / "uploads" / ".partial").iterdir()
    with open(part, "rb") as other:
        fcntl.flock(other.fileno(), fcntl.LOCK_EX)  # another request is writing
        response = uploader.patch(url, 0, b"x" * 10)
        assert response.status_code == 423
        assert uploader.head(url).headers["Upload-Offset"] == "0"
    assert uploader.patch(url, 0, b"x" * 10).status_code == 204


def test_cleanup_leaves_an_upload_being_written(app: Flask, uploader: Uploader) -> None:
    uploader.create(100)
    (part,) = (Path(app.instance_path) / "uploads" / ".partial").iterdir()
    with app.app_context():
        past = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
        db.session.execute(update(UploadSession).values(expires_at=past))
        db.session.commit()
        from studio.videos.uploads import purge_stale

        with open(part, "rb") as other:
            fcntl.flock(other.fileno(), fcntl.LOCK_EX)
            assert purge_stale(db.session) == 0
        assert purge_stale(db.session) == 1
    assert counts(app) == (0, 0) and leftovers(app) == []


def test_disk_full_mid_part_is_507_and_counts_nothing(
    app: Flask, uploader: Uploader, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = uploader.create(1000).get_json()["url"]
    assert uploader.patch(url, 0, b"a" * 300).status_code == 204
    real = parts.write_all
    calls = {"n": 0}

    def fill_disk(part, data):
        calls["n"] += 1
        if calls["n"] > 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(part, data)

    monkeypatch.setattr(parts, "BLOCK", 100)
    monkeypatch.setattr(parts, "write_all", fill_disk)
    response = uploader.patch(url, 300, b"b" * 500)
    assert response.status_code == 507
    assert "ran out of disk space" in response.get_json()["error"]["message"]
    assert response.headers["Upload-Offset"] == "300"
    monkeypatch.setattr(parts, "write_all", real)
    (part,) = (Path(app.instance_path) / "uploads" / ".partial").iterdir()
    assert part.read_bytes() == b"a" * 300  # the torn bytes were cut off
    assert uploader.head(url).headers["Upload-Offset"] == "300"
    assert uploader.patch(url, 300, b"c" * 100).status_code == 204


def test_too_many_open_uploads_is_429(uploader: Uploader) -> None:
    for _ in range(5):
        assert uploader.create(100).status_code == 201
    response = uploader.create(100)
    assert response.status_code == 429
    assert "unfinished uploads" in response.get_json()["error"]["message"]


def test_bytes_the_disk_lost_are_not_reported(app: Flask, uploader: Uploader) -> None:
    """After a power cut the part file can be shorter than the committed offset: trust the disk."""
    url = uploader.create(1000).get_json()["url"]
    assert uploader.patch(url, 0, b"x" * 600).status_code == 204
    (part,) = (Path(app.instance_path) / "uploads" / ".partial").iterdir()
    with open(part, "r+b") as f:
        f.truncate(250)
    assert uploader.head(url).headers["Upload-Offset"] == "250"
    assert uploader.patch(url, 600, b"x").status_code == 409
    assert uploader.patch(url, 250, b"y" * 100).status_code == 204


def test_upload_without_fsync_per_part(make_app, users, sample_mp4: Path) -> None:
    app = make_app(UPLOAD_FSYNC=False)
    client = app.test_client()
    from tests.conftest import AuthActions

    AuthActions(app, client).login()
    response = uploader_for(client).send(sample_mp4.read_bytes(), part=20_000)
    assert response.status_code == 200 and response.get_json()["duplicate"] is False
