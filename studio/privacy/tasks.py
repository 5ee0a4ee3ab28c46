"""Privacy jobs: execute deletion requests, sweep, apply retention."""

from __future__ import annotations

import logging

from huey import crontab

from studio import db
from studio.audit import Actor
from studio.jobs import periodic_task, task
from studio.privacy import contact, execute, retention, rights, services

log = logging.getLogger(__name__)


@task()
def execute_request(request_id: int) -> None:
    """Carry out (or resume) one deletion request."""
    execute.execute(db.session, request_id)


@periodic_task(crontab(minute="*"))
def sweep() -> None:
    """Resume lost work: stalled or due deletion requests, copies already served."""
    session = db.session
    for req in services.stuck(session):
        execute_request(req.id)
    for req in services.due_for_auto_start(session):
        services.start(session, req, Actor.job("privacy.sweep"))
    for req in rights.copies_served(session):
        rights.resolve(session, req, Actor.job("privacy.sweep"), rights.COPY_SERVED)


@periodic_task(crontab(minute="*/10"))
def redeliver_contact() -> int:
    """Mail the operator the contact messages their mail server refused before."""
    return contact.redeliver(db.session)


@periodic_task(crontab(minute="17", hour="3"))
def purge_expired() -> None:
    """Apply the inventory's retention periods once a day."""
    retention.purge(db.session)
