"""Where video files, posters and upload part files live on disk."""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path

from flask import current_app

from studio.videos.models import Video

PARTIAL = ".partial"


def uploads_dir() -> Path:
    """instance/uploads (created on first use, private to the app's user)."""
    path = Path(current_app.instance_path) / "uploads"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def partial_dir() -> Path:
    """Part files of uploads in progress: beside the final files, so a rename never copies."""
    path = uploads_dir() / PARTIAL
    path.mkdir(mode=0o700, exist_ok=True)
    return path


def part_path(upload_id: str) -> Path:
    """The part file of one upload session (the id is random and URL-safe)."""
    return partial_dir() / f"{upload_id}.part"


def video_path(video: Video) -> Path:
    """The stored video file (it may no longer exist: see `Video.has_file`)."""
    return uploads_dir() / video.storage_name


def poster_path(video: Video) -> Path | None:
    """The poster JPEG, or None when the video has none."""
    return uploads_dir() / video.poster_name if video.poster_name else None


def free_bytes() -> int:
    """Free space on the filesystem that holds the uploads."""
    return shutil.disk_usage(uploads_dir()).free


def remove(path: Path | None) -> bool:
    """Delete a file if it exists; True when something was removed."""
    if path is None:
        return False
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
        return True
    return False
