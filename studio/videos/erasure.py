"""Erasing what the videos room owns: video files, posters and records (counts for receipts)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from studio.db import begin_write
from studio.videos import services
from studio.videos.events import busy_reason
from studio.videos.models import Video


def erase_videos(session: Session, video_ids: Iterable[int], reason: str) -> dict[str, int]:
    """Remove the videos' files and posters, then their records unless a post still uses them.

    Commits per video; safe to run again (what is gone is skipped). Returns receipt counts.
    """
    counts = {"video_files": 0, "videos": 0}
    for video_id in video_ids:
        video = session.get(Video, video_id)
        if video is None:
            continue
        if video.has_file:
            counts["video_files"] += 1 + int(bool(video.poster_name))
            services.delete_file(session, video, reason)
        begin_write(session)
        counts["videos"] += services.delete_unreferenced(session, video_id)
        session.commit()
    return {category: n for category, n in counts.items() if n}


def purge_expired_files(session: Session, before: dt.datetime, dry_run: bool = False) -> int:
    """Remove the files of videos uploaded before ``before`` (retention), except those a post
    is sending now; the records stay. Returns how many files went (or would go)."""
    query = select(Video).where(Video.file_deleted_at.is_(None), Video.created_at < before)
    removed = 0
    for video in session.scalars(query).all():
        if busy_reason(session, video):
            continue  # a post is still sending it
        removed += 1
        if not dry_run:
            services.delete_file(session, video, "retention period ended")
    return removed
