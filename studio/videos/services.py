"""The video library: store a file some platform can take, find, dedupe, delete files and rows."""

from __future__ import annotations

import logging
import os
import re
import shutil
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from studio.audit import Action, Actor, record
from studio.db import KeysetPage, begin_write, keyset_page, rowcount, utcnow
from studio.videos import digest, media, storage, suitability
from studio.videos.events import busy_reason
from studio.videos.models import Video
from studio.videos.names import clean_display_name

log = logging.getLogger(__name__)
# Names this room gives library files (uuid4 hex + extension); nothing else is ever swept.
OUR_FILE = re.compile(r"[0-9a-f]{32}\.(mp4|mov|webm|jpg)")


class VideoError(Exception):
    """A library action that cannot be done; the message says why in plain words."""


@dataclass(frozen=True)
class Stored:
    """The outcome of storing a file: the video, and whether it was already in the library."""

    video: Video
    duplicate: bool = False


def get_video(session: Session, video_id: int) -> Video | None:
    """The video with this id, or None."""
    return session.get(Video, video_id)


def find_same_content(session: Session, path: Path, content_hash: str) -> Video | None:
    """The video with the same bytes as `path` (whose hash is `content_hash`), or None.

    Rows stored before BLAKE3 carry a SHA-256; while any exist, a file without a BLAKE3 match
    is hashed once more with SHA-256 to compare with them.
    """
    found = find_by_hash(session, content_hash)
    if found is not None or not _has_legacy_rows(session):
        return found
    return find_by_hash(session, digest.of_file(path, digest.LEGACY))


def find_by_hash(session: Session, content_hash: str) -> Video | None:
    """The video with this stored content hash ("<algorithm>:<hex>"), or None."""
    return session.scalar(select(Video).where(Video.content_hash == content_hash))


def _has_legacy_rows(session: Session) -> bool:
    # A prefix match, not a range on the index: ":" sorts differently under some collations.
    # It scans until the first legacy row; with none left, the table once per finished upload.
    legacy = select(Video.id).where(Video.content_hash.startswith(f"{digest.LEGACY}:"))
    return session.scalar(legacy.limit(1)) is not None


def create_video_from_file(
    session: Session, path: Path | str, display_name: str | None, user: Any | None
) -> Video:
    """Validate a file, copy it into the library with a poster, and return its Video.

    The caller's file is left in place. If the same bytes are already in the library, that
    video is returned instead. Raises `media.MediaRejected` naming every broken rule when no
    platform can take it (`suitability.refusals`).
    """
    return store_file(session, Path(path), display_name, user, consume=False).video


def store_file(
    session: Session,
    path: Path,
    display_name: str | None,
    user: Any | None,
    *,
    consume: bool,
    content_hash: str | None = None,
) -> Stored:
    """Validate `path` and add it to the library; `consume` moves it instead of copying.

    `content_hash`: the file's hash if the caller computed it while receiving it.
    """
    name = clean_display_name(display_name)
    try:
        info = media.validate(path, suitability.refusals)
    except media.MediaRejected as exc:
        _record_rejected(user, exc)
        raise
    content_hash = content_hash or digest.of_file(path)
    existing = find_same_content(session, path, content_hash)
    # End the read: the writes below start their own transaction (the unique hash settles a
    # race), so a SQLite snapshot taken here never has to become a writer after others wrote.
    session.commit()
    if existing is not None and existing.has_file:
        if consume:
            storage.remove(path)
        return Stored(existing, duplicate=True)
    stem = uuid.uuid4().hex
    dest = storage.uploads_dir() / f"{stem}.{info.container}"
    _place(path, dest, consume)
    poster = _make_poster(dest, storage.uploads_dir() / f"{stem}.jpg")
    if existing is not None:
        return Stored(_reattach(session, existing, dest, poster, user))
    video = Video(
        content_hash=content_hash,
        display_name=name,
        storage_name=dest.name,
        poster_name=poster.name if poster else None,
        size_bytes=info.size_bytes,
        container=info.container,
        video_codec=info.video_codec or "",
        duration_s=info.duration_s,
        width=info.width,
        height=info.height,
        fps=info.fps,
        has_audio=info.has_audio,
        uploaded_by_id=getattr(user, "id", None),
    )
    session.add(video)
    try:
        session.commit()
    except IntegrityError:
        # Another request stored the same bytes a moment ago: offer that one.
        session.rollback()
        storage.remove(dest)
        storage.remove(poster)
        winner = find_by_hash(session, content_hash)
        if winner is None:
            raise
        return Stored(winner, duplicate=True)
    record(
        Action.VIDEO_UPLOADED,
        actor=_actor(user),
        summary=f"video {video.id} uploaded",
        payload=_facts(video),
    )
    return Stored(video)


def _place(src: Path, dest: Path, consume: bool) -> None:
    if consume:
        os.replace(src, dest)  # same filesystem: a rename, never a second copy
        return
    tmp = storage.partial_dir() / f"{dest.name}.copy"
    shutil.copyfile(src, tmp)
    os.replace(tmp, dest)


def _make_poster(video_file: Path, dest: Path) -> Path | None:
    try:
        media.make_poster(video_file, dest)
    except (media.MediaError, OSError):
        log.warning("no poster for %s", video_file.name, exc_info=True)
        storage.remove(dest)
        return None
    return dest


def _reattach(
    session: Session, video: Video, dest: Path, poster: Path | None, user: Any | None
) -> Video:
    """The same bytes come back after retention removed the file: give the row its file."""
    video.storage_name = dest.name
    video.poster_name = poster.name if poster else None
    video.file_deleted_at = None
    session.commit()
    record(
        Action.VIDEO_UPLOADED,
        actor=_actor(user),
        summary=f"video {video.id} uploaded again; its file is back",
        payload=_facts(video),
    )
    return video


def _record_rejected(user: Any | None, exc: media.MediaRejected) -> None:
    record(
        Action.VIDEO_REJECTED,
        actor=_actor(user),
        summary=f"upload rejected: {', '.join(v.rule for v in exc.violations)}",
        payload={"rules": [v.rule for v in exc.violations]},
        status="error",
    )


def _actor(user: Any | None) -> Actor:
    return Actor.user(user) if user is not None else Actor.system("videos")


def _facts(video: Video) -> dict[str, Any]:
    return {
        "video_id": video.id,
        "content_hash": video.content_hash,
        "size_bytes": video.size_bytes,
        "container": video.container,
        "video_codec": video.video_codec,
        "duration_s": round(video.duration_s, 3),
        "width": video.width,
        "height": video.height,
        "fps": round(video.fps, 3),
    }


def delete_file(session: Session, video: Video, reason: str) -> None:
    """Remove the local file and poster, keep the row, and note when (retention, erasure)."""
    if not video.has_file:
        return
    video.file_deleted_at = utcnow()
    session.commit()
    # The row is committed first: a crash now leaves an unreferenced file for the sweeper,
    # never a row that points at a missing file.
    storage.remove(storage.video_path(video))
    storage.remove(storage.poster_path(video))
    record(
        Action.VIDEO_FILE_DELETED,
        summary=f"video {video.id}: file removed ({reason})",
        payload={"video_id": video.id, "reason": reason},
    )


def can_delete(user: Any, video: Video) -> bool:
    """Admins, and the staff member who uploaded it, may delete a video."""
    return bool(user.is_admin or (video.uploaded_by_id and video.uploaded_by_id == user.id))


def delete_video(session: Session, video: Video, user: Any) -> bool:
    """Delete a video's file and row; returns False when posts keep the row (file only).

    Raises VideoError when the user may not delete it or a post is sending it.
    """
    if not can_delete(user, video):
        raise VideoError("Only an admin or the person who uploaded this video can delete it.")
    reason = busy_reason(session, video)
    if reason:
        raise VideoError(f"This video cannot be deleted now: {reason}")
    video_id = video.id
    files = [storage.video_path(video), storage.poster_path(video)]
    session.delete(video)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        video = session.get_one(Video, video_id)
        delete_file(session, video, "deleted by staff; posts still refer to it")
        return False
    for path in files:
        storage.remove(path)
    record(
        Action.VIDEO_DELETED,
        actor=Actor.user(user),
        summary=f"video {video_id} deleted",
        payload={"video_id": video_id},
    )
    return True


def purge_fileless_records(session: Session, dry_run: bool = False) -> int:
    """Delete the rows of videos whose file is gone once no post refers to them (retention).

    Posts hold the foreign key (RESTRICT), so a row a post still refers to refuses to go.
    """
    begin_write(session)
    ids = session.scalars(select(Video.id).where(Video.file_deleted_at.is_not(None))).all()
    removed = sum(delete_unreferenced(session, video_id, dry_run) for video_id in ids)
    session.commit()
    return removed


def delete_unreferenced(session: Session, video_id: int, dry_run: bool = False) -> bool:
    """Delete the video's row unless a post refers to it (RESTRICT); inside the caller's
    writer transaction, which it leaves open. Returns whether the row went (or would go)."""
    savepoint = session.begin_nested()
    try:
        gone = rowcount(session.execute(delete(Video).where(Video.id == video_id)))
        session.flush()
    except IntegrityError:
        gone = 0
    if not gone:
        savepoint.rollback()
        return False
    if dry_run:
        savepoint.rollback()
    else:
        savepoint.commit()
    return True


def list_videos(
    session: Session, *, before: int | None = None, after: int | None = None, limit: int = 24
) -> KeysetPage[Video]:
    """A keyset page of the library, newest first (``keyset_page``)."""
    return keyset_page(session, Video, before=before, after=after, limit=limit)


def library_stats(session: Session) -> tuple[int, int]:
    """(number of videos, bytes of video files kept on disk)."""
    count = session.scalar(select(func.count(Video.id))) or 0
    used = session.scalar(
        select(func.coalesce(func.sum(Video.size_bytes), 0)).where(Video.file_deleted_at.is_(None))
    )
    return int(count), int(used or 0)


def purge_orphan_files(session: Session, min_age_s: float = 3600.0) -> int:
    """Delete library files no kept video refers to (left by a crash between steps)."""
    kept = set()
    for storage_name, poster_name in session.execute(
        select(Video.storage_name, Video.poster_name).where(Video.file_deleted_at.is_(None))
    ):
        kept.update({storage_name, poster_name})
    session.commit()
    cutoff = time.time() - min_age_s
    removed = 0
    for path in storage.uploads_dir().iterdir():
        if path.name in kept or not OUR_FILE.fullmatch(path.name) or not path.is_file():
            continue
        if path.stat().st_mtime < cutoff and storage.remove(path):
            removed += 1
    return removed
