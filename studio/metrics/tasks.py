"""The daily snapshot round, and the retention of snapshots per platform policy."""

from __future__ import annotations

from huey import crontab

from studio import db
from studio.audit import Actor, scope
from studio.jobs import current, periodic_task, task
from studio.metrics import erasure
from studio.metrics.snapshot import run_round


@periodic_task(crontab(minute="23", hour="*"))
def snapshot_periodically() -> dict[str, int]:
    """Hourly: read the accounts not read completely today (one daily snapshot each)."""
    if not current().config["METRICS_ENABLED"]:
        return {}
    return snapshot_now()


@task()
def snapshot_now() -> dict[str, int]:
    """One round now, then drop snapshots older than each platform allows."""
    with scope(actor=Actor.job("metrics.snapshot")):
        report = run_round(db.session)
    purged = erasure.purge_expired(db.session)
    return {"read": report.read, "calls": report.calls, "purged": purged}
