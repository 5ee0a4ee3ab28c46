"""Hostile uploads: path tricks and odd Unicode in names, polyglots, truncated and fake videos,
oversize and malformed bodies. Each is stored safely or refused clearly, leaving nothing behind."""

from __future__ import annotations

import io
import unicodedata
import zipfile
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from studio import db
from studio.platforms.models import WebhookDelivery
from studio.privacy.models import DeletionRequest
from studio.videos.models import UploadSession, Video
from tests.adversarial.conftest import Snapshot, count, instance_files
from tests.helpers import csrf_token
from tests.videos.conftest import PART_TYPE, Uploader, uploader_for

NAMES = {
    "../../../etc/passwd.mp4": "passwd.mp4",
    "/etc/cron.d/evil.mp4": "evil.mp4",
    "..\\..\\windows\\system32\\evil.mp4": "evil.mp4",
    "C:\\Users\\Public\\launch.mp4": "launch.mp4",
    "....//....//up.mp4": "up.mp4",
    "..": "video.mp4",
    "": "video.mp4",
    "launch\u202e4pm.exe": "launch4pm.exe",
    "zero\u200bwidth\u200d\ufeff.mp4": "zerowidth.mp4",
    "nul\x00byte.mp4": "nul byte.mp4",
    "line\r\nSet-Cookie: pwned=1.mp4": "line Set-Cookie: pwned=1.mp4",
    "CON": "CON",
    "NUL.mp4": "NUL.mp4",
    "com1.mp4": "com1.mp4",
    "x" * 5000 + ".mp4": "x" * 115 + "….mp4",
    "\U0001f600 emoji \u0301.mp4": unicodedata.normalize("NFC", "\U0001f600 emoji \u0301.mp4"),
}


@pytest.fixture
def app(make_app) -> Flask:
    """Uploads need no TikTok: no sandbox."""
    return make_app()


@pytest.fixture
def uploader(admin_client: FlaskClient) -> Uploader:
    return uploader_for(admin_client)


@pytest.mark.parametrize("raw", sorted(NAMES), ids=range(len(NAMES)))
def test_hostile_file_names_are_stored_safely(
    app: Flask, admin_client: FlaskClient, uploader: Uploader, sample_mp4: Path, raw: str
) -> None:
    response = uploader.send(sample_mp4.read_bytes(), raw)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["name"] == NAMES[raw]
    root = (Path(app.instance_path) / "uploads").resolve()
    with app.app_context():
        video = db.session.get(Video, response.get_json()["video_id"])
        stored = (root / video.storage_name).resolve()
        assert stored.parent == root and stored.is_file()
        assert video.display_name == NAMES[raw]
        assert len(video.storage_name) >= 32 and NAMES[raw] not in video.storage_name
    # Nothing was written anywhere but the library's own folder, under generated names.
    stem = video.storage_name.rsplit(".", 1)[0]
    assert instance_files(app) == [f"{stem}.jpg", f"{stem}.mp4"]
    with admin_client.get(f"/videos/{video.id}/file?download=1") as download:
        assert download.status_code == 200
        headers = dict(download.headers)
    disposition = headers["Content-Disposition"]
    assert "\r" not in disposition and "\n" not in disposition and "/" not in disposition
    assert all("pwned" not in v for k, v in headers.items() if k != "Content-Disposition")


def _html_mp4() -> bytes:
    ftyp = (24).to_bytes(4, "big") + b"ftypisom" + (512).to_bytes(4, "big") + b"isomiso2"
    return ftyp + b"<html><script>alert(document.cookie)</script></html>" * 40


def _mp4_with_zip(sample: Path) -> bytes:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("payload.html", "<script>alert(1)</script>")
    return sample.read_bytes() + archive.getvalue()


BAD_FILES = {
    # "<htm" read as a box header announces a box far larger than the file.
    "html_after_ftyp": (lambda s, t: _html_mp4(), "file is truncated"),
    "zip_appended": (lambda s, t: _mp4_with_zip(s), "file is damaged"),
    "html_after_moov": (
        lambda s, t: s.read_bytes() + b"<script>alert(1)</script>",
        "file is truncated",
    ),
    "truncated": (lambda s, t: s.read_bytes()[: s.stat().st_size // 2], "file is truncated"),
    "html_named_mp4": (
        lambda s, t: b"<!doctype html><script>alert(1)</script>" * 30,
        "not a video",
    ),
    "gif_named_mp4": (lambda s, t: b"GIF89a" + b"\0" * 2000, "not a video"),
    "zip_named_mp4": (lambda s, t: _mp4_with_zip(s)[s.stat().st_size :], "not a video"),
    "elf_named_mp4": (lambda s, t: b"\x7fELF" + b"\x02" * 4000, "not a video"),
}


@pytest.mark.parametrize("kind", sorted(BAD_FILES))
def test_polyglot_truncated_and_fake_videos_are_refused(
    app: Flask, uploader: Uploader, sample_mp4: Path, tmp_path: Path, kind: str
) -> None:
    build, reason = BAD_FILES[kind]
    data = build(sample_mp4, tmp_path)
    before = Snapshot(app)
    response = uploader.send(data, "clip.mp4")
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["title"] == "Video rejected"
    assert error["message"] == "clip.mp4 cannot be published on any of the platforms:"
    assert any(reason in v for v in error["violations"]), error["violations"]
    before.assert_unchanged()


def test_declared_size_over_the_limit_is_413_before_any_byte(make_app, users) -> None:
    app = make_app(MAX_VIDEO_BYTES=1000)
    from tests.conftest import AuthActions

    client = app.test_client()
    AuthActions(app, client).login()
    before = Snapshot(app)
    for length in (1001, 10**40):
        response = uploader_for(client).create(length)
        assert response.status_code == 413
        assert response.get_json()["error"]["message"].endswith("videos can be at most 1000 bytes.")
    before.assert_unchanged()


def test_a_part_over_the_request_cap_is_a_readable_413(make_app, users) -> None:
    app = make_app(MAX_CONTENT_LENGTH=64 * 1024)
    from tests.conftest import AuthActions

    client = app.test_client()
    AuthActions(app, client).login()
    up = uploader_for(client)
    created = up.create(200_000)
    url = created.get_json()["url"]
    response = up.patch(url, 0, b"\0" * 100_000)
    assert response.status_code == 413
    assert response.get_json()["error"]["message"] == (
        "This part is larger than the server accepts in one request (64 KiB)."
    )
    with app.app_context():
        assert db.session.get(UploadSession, url.rsplit("/", 1)[1]).offset == 0


def test_an_oversize_form_is_a_readable_413_page(make_app) -> None:
    app = make_app(MAX_CONTENT_LENGTH=16 * 1024)
    client = app.test_client()
    token = csrf_token(client, "/data-deletion")
    response = client.post(
        "/data-deletion", data={"csrf_token": token, "kind": "tiktok", "name": "x" * 100_000}
    )
    assert response.status_code == 413
    assert b"The upload is larger than this server accepts." in response.data
    assert count(app, DeletionRequest) == 0


def test_an_oversize_webhook_is_refused_unread(app: Flask, client: FlaskClient) -> None:
    response = client.post(
        "/webhooks/tiktok", data=b"{" + b" " * 70_000 + b"}", content_type="application/json"
    )
    assert response.status_code == 413
    assert response.get_json() == {"error": "body too large"}
    assert count(app, WebhookDelivery) == 0


MALFORMED = {
    "multipart_without_boundary": (
        "multipart/form-data",
        b'--x\r\nContent-Disposition: form-data; name="length"\r\n\r\n1000\r\n--x--\r\n',
    ),
    "truncated_multipart": (
        "multipart/form-data; boundary=x",
        b'--x\r\nContent-Disposition: form-data; name="length"\r\n\r\n10',
    ),
    "garbage_multipart": ("multipart/form-data; boundary=x", b"\x00\xff" * 500),
    "json_not_an_object": ("application/json", b"[1000, 2000]"),
    "json_nested_too_deep": ("application/json", b"[" * 200_000 + b"]" * 200_000),
    "json_huge_number": ("application/json", b'{"length": ' + b"9" * 100_000 + b"}"),
    "json_broken": ("application/json", b'{"length": 1000,'),
    "json_length_not_a_number": ("application/json", b'{"length": "1e9"}'),
    "json_length_negative": ("application/json", b'{"length": -5}'),
    "json_length_bool": ("application/json", b'{"length": true}'),
    "text_plain": ("text/plain", b"length=1000"),
}


@pytest.mark.parametrize("kind", sorted(MALFORMED))
def test_malformed_create_requests_are_400(app: Flask, uploader: Uploader, kind: str) -> None:
    content_type, body = MALFORMED[kind]
    before = Snapshot(app)
    response = uploader.client.post(
        "/videos/uploads",
        data=body,
        headers={"X-CSRFToken": uploader.token, "Content-Type": content_type},
    )
    assert response.status_code == 400, response.get_data(as_text=True)
    message = response.get_json()["error"]["message"]
    assert message in (
        "Say how large the file is (length, in bytes).",
        "The file is empty. Choose a video file.",
    )
    before.assert_unchanged()


@pytest.mark.parametrize(
    "content_type", ["multipart/form-data; boundary=x", "video/mp4", "application/octet-stream", ""]
)
def test_a_part_in_the_wrong_content_type_is_415(
    app: Flask, uploader: Uploader, content_type: str
) -> None:
    url = uploader.create(1000).get_json()["url"]
    before = Snapshot(app)
    response = uploader.client.patch(
        url,
        data=b"\0" * 100,
        headers={"X-CSRFToken": uploader.token, "Content-Type": content_type, "Upload-Offset": "0"},
    )
    assert response.status_code == 415
    assert response.get_json()["error"]["message"] == f"Send the part as {PART_TYPE}."
    before.assert_unchanged()


def test_a_malformed_form_post_changes_nothing(app: Flask, client: FlaskClient) -> None:
    before = Snapshot(app)
    response = client.post(
        "/data-deletion",
        data=b'--x\r\nContent-Disposition: form-data; name="kind"\r\n\r\ntik',
        headers={"Content-Type": "multipart/form-data; boundary=x"},
    )
    assert response.status_code == 400
    assert b"missing CSRF token" in response.data
    before.assert_unchanged()
