"""Periodic clean-up: expired upload sessions, their part files, and unreferenced files."""

from __future__ import annotations

import logging

from huey import crontab

from studio import db
from studio.jobs import periodic_task
from studio.videos import services, uploads

log = logging.getLogger(__name__)


@periodic_task(crontab(minute="*/15"))
def purge_stale_uploads() -> int:
    """Remove uploads nobody finished within UPLOAD_SESSION_HOURS, and stray files."""
    removed = uploads.purge_stale(db.session) + services.purge_orphan_files(db.session)
    if removed:
        log.info("removed %d stale upload(s) and stray file(s)", removed)
    return removed
