"""Huey task: every minute, e-mail about deliveries that finished since the last run."""

from __future__ import annotations

from huey import crontab

from studio import db
from studio.jobs import periodic_task
from studio.notify import services


@periodic_task(crontab(minute="*"))
def notify_finished() -> int:
    """E-mail authors about deliveries that landed, failed or need a person."""
    return services.sweep(db.session)
