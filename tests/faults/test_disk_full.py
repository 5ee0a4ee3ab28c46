"""The disk filling up while a video is being uploaded into the app's storage."""

from __future__ import annotations

import errno
import os
import resource
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from studio import db
from studio.videos.models import UploadSession, Video
from tests.videos.conftest import Uploader, uploader_for

PAGE = 4096


def counts(app: Flask) -> tuple[int, int]:
    """(videos, upload sessions) in the database."""
    with app.app_context():
        videos = db.session.scalar(select(func.count(Video.id)))
        sessions = db.session.scalar(select(func.count(UploadSession.id)))
        db.session.commit()
    return videos, sessions


def files(folder: Path) -> dict[str, int]:
    """Every file under the uploads folder with its size (part files included)."""
    return {str(p.relative_to(folder)): p.stat().st_size for p in folder.rglob("*") if p.is_file()}


@pytest.fixture
def small_disk(app: Flask) -> Iterator[Path]:
    """A 2 MiB tmpfs mounted on the app's uploads folder (skips where mounting is refused)."""
    folder = Path(app.instance_path) / "uploads"
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m,mode=0700", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({mounted.stderr.strip()}); the rlimit test runs")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def fill(path: Path, leave: int) -> None:
    """Write `path` until the filesystem is full, then give back `leave` bytes."""
    block, written = b"\0" * (64 * 1024), 0
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        while True:
            try:
                written += os.write(fd, block)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC, exc
                break
        os.ftruncate(fd, written - leave)
    finally:
        os.close(fd)


@pytest.fixture
def uploader(app: Flask, admin_client) -> Uploader:
    """The signed-in admin's upload client; no free-space reserve, so tiny disks take uploads."""
    app.config["UPLOAD_RESERVE_BYTES"] = 0
    return uploader_for(admin_client)


def test_disk_full_mid_part_is_507_and_the_upload_resumes(
    app: Flask, small_disk: Path, uploader: Uploader, sample_mp4: Path, tally
):
    """Fault: a real ENOSPC. The uploads folder is a 2 MiB tmpfs; after the upload was opened
    (the room check passed), another writer fills the disk, leaving one page free, and the
    part that follows (a whole 5.5 kB MP4) runs out of space half-way.

    Asserts: 507 with a readable message and the committed offset (0); the torn bytes are cut
    off (the part file is empty again), no video row, no file in the library. Once space is
    freed the same upload resumes from 0 and becomes a video: nothing was lost.
    """
    data = sample_mp4.read_bytes()
    assert len(data) > PAGE
    created = uploader.create(len(data), "kettle.mp4")
    assert created.status_code == 201, created.get_json()
    url = created.get_json()["url"]
    filler = small_disk / "filler.bin"
    fill(filler, PAGE)

    response = uploader.patch(url, 0, data)

    assert response.status_code == 507
    error = response.get_json()["error"]
    assert error["title"] == "Storage full"
    assert error["message"] == (
        "The server ran out of disk space while saving this upload. The last part was not "
        "saved; try again later or ask an admin to free some space."
    )
    assert response.headers["Upload-Offset"] == "0" and error["offset"] == 0
    left = files(small_disk)
    part_files = [name for name in left if name.startswith(".partial/")]
    assert len(part_files) == 1 and left[part_files[0]] == 0  # no torn bytes kept
    assert set(left) == {"filler.bin", *part_files}  # nothing in the library
    assert counts(app) == (0, 1)  # no video; the upload session waits at offset 0
    assert uploader.head(url).headers["Upload-Offset"] == "0"

    filler.unlink()
    resumed = uploader.patch(url, 0, data)
    assert resumed.status_code == 200, resumed.get_json()
    assert counts(app) == (1, 0)
    with app.app_context():
        video = db.session.scalars(select(Video)).one()
        assert (small_disk / video.storage_name).read_bytes() == data
        db.session.commit()
    tally(1, 0, "(ENOSPC on a tmpfs)")


def test_file_size_limit_mid_part_is_507_and_cancel_leaves_nothing(
    app: Flask, uploader: Uploader, tally
):
    """Fault: EFBIG at the OS boundary, for machines that refuse to mount a small filesystem:
    RLIMIT_FSIZE is set to 24 MiB in this process only while a 32 MiB part is written, so the
    kernel refuses the write past 24 MiB (SIGXFSZ is ignored by Python, write() fails).

    Asserts: 507 with the same readable message and offset 0; the part file holds no torn
    bytes; no video row. Cancelling then leaves no part file and no upload session.
    """
    size, limit = 32 * 2**20, 24 * 2**20
    created = uploader.create(size, "big.mp4")
    assert created.status_code == 201, created.get_json()
    url = created.get_json()["url"]
    folder = Path(app.instance_path) / "uploads"
    body = os.urandom(size)
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    try:
        response = uploader.patch(url, 0, body)
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))

    assert response.status_code == 507
    error = response.get_json()["error"]
    assert error["title"] == "Storage full" and error["offset"] == 0
    assert "ran out of disk space" in error["message"]
    assert list(files(folder).values()) == [0]  # the part file only, empty
    assert counts(app) == (0, 1)

    assert uploader.delete(url).status_code == 204
    assert files(folder) == {}
    assert counts(app) == (0, 0)
    tally(1, 0, "(EFBIG from RLIMIT_FSIZE)")
