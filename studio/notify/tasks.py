"""Huey tasks: approval e-mails; every minute those about finished deliveries and accounts to
reconnect."""

from __future__ import annotations

from huey import crontab

from studio import db
from studio.jobs import periodic_task, task
from studio.notify import reconnect, services


@periodic_task(crontab(minute="*"))
def notify_finished() -> int:
    """E-mail authors about deliveries that landed, failed or need a person."""
    return services.sweep(db.session)


@periodic_task(crontab(minute="*"))
def notify_reconnect() -> int:
    """E-mail connectors and admins about accounts newly needing a reconnect."""
    return reconnect.sweep(db.session)


@task()
def notify_approval(post_id: int, what: str) -> int:
    """E-mail approvers (a post waits) or the author (approved, sent back)."""
    return services.tell_approval(db.session, post_id, what)
