"""Periodic sealing of the chain head."""

from __future__ import annotations

from huey import crontab

from studio.audit import seals
from studio.jobs import current, periodic_task


@periodic_task(crontab(minute="*/10"))
def seal_chain() -> int | None:
    """Seal the head every 10 minutes (nothing is written when it has not moved)."""
    made = seals.seal(current())
    return made.seq if made else None
