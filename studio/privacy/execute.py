"""Carrying out a verified deletion request: resumable steps, then a receipt.

Each step is safe to run again: it derives what is left to erase from the rows, and the
request's ``step`` column records the last step finished, so a crashed job resumes there.
"""

from __future__ import annotations

import logging
import sqlite3
from typing import Any, cast

from flask import current_app
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from studio import db
from studio.audit import Action, record, scope
from studio.platforms.models import Account
from studio.privacy import erasures, mail, services, steps
from studio.privacy.models import DeletionRequest, RequestStatus
from studio.privacy.receipt import KEPT_RECEIPT, KEPT_SMTP_MAIL, Tally
from studio.privacy.steps import ACTOR, Step

log = logging.getLogger(__name__)


def execute(session: Session, request_id: int) -> DeletionRequest | None:
    """Run the remaining steps of one request; safe to call again at any point."""
    req = session.get(DeletionRequest, request_id)
    if req is None or req.status != RequestStatus.IN_PROGRESS:
        return req
    subj = services.subject(req)
    plan = steps.plan(req.kind)
    done = [name for name, _ in plan]
    start = done.index(req.step) + 1 if req.step in done else 0
    with scope(actor=ACTOR, job_id=f"deletion-{req.id}"):
        try:
            for name, step in plan[start:]:
                _run_step(session, req, name, step, subj)
            _finish(session, req, subj)
        except Exception as exc:
            # The sweeper resumes stalled requests from the last finished step.
            session.rollback()
            req = session.get_one(DeletionRequest, request_id)
            # Only the exception's type: messages may quote SQL parameters (identifiers).
            log.warning(
                "deletion request %s stopped after step %s: %s; it will resume",
                request_id,
                req.step,
                type(exc).__name__,
            )
            req.last_error = type(exc).__name__
            session.commit()
    return req


def _run_step(
    session: Session, req: DeletionRequest, name: str, step: Step, subj: dict[str, Any]
) -> None:
    services.lock(session, req)
    req.attempts += 1
    tally = Tally(req)
    step(session, req, subj, tally)
    if not session.in_transaction():
        db.begin_write(session)  # the step committed on its way (another room's service)
    tally.save(req)
    req.step = name
    session.commit()


def replay_account(session: Session, account_id: int) -> bool:
    """Erase an account again after a restore (deletion ledger); False when already gone."""
    if session.get(Account, account_id) is None:  # any platform's (Meta plans name several)
        session.commit()
        return False
    # A stand-in request, never stored: the steps read only its id and account.
    req = DeletionRequest(kind="replay", account_id=account_id)
    tally = Tally(req)
    with scope(actor=ACTOR, account_id=account_id):
        for _name, step in steps.replay_plan():
            step(session, req, {}, tally)
            session.commit()
    return True


def _finish(session: Session, req: DeletionRequest, subj: dict[str, Any]) -> None:
    services.lock(session, req)
    tally = Tally(req)
    tally.pending_videos = []
    _mail(subj, tally)
    tally.keep(KEPT_RECEIPT)
    tally.save(req)
    req.step = "done"
    services.close(session, req, RequestStatus.COMPLETED, None)
    counts = dict(tally.erased)
    record(
        Action.DELETION_EXECUTED,
        actor=ACTOR,
        summary=f"deletion request #{req.id} completed",
        payload={"request_id": req.id, "erased": counts},
    )
    checkpoint(session)
    erasures.notify_admins(session, req)


def _mail(subj: dict[str, Any], tally: Tally) -> None:
    """Erase our outbox copies of the mail sent to the requester (instead of keeping them
    for OUTBOX_RETENTION_DAYS); with a mail server there are no copies to erase."""
    addresses = (subj.get("email"), subj.get("notice_email"))
    if current_app.config.get("SMTP_HOST"):
        if any(addresses):
            tally.keep(KEPT_SMTP_MAIL)
        return
    tally.add("outbox_mail", mail.erase_sent_to(addresses))


def checkpoint(session: Session) -> None:
    """Flush SQLite's WAL into the database and truncate it (deleted bytes leave the WAL)."""
    if not db.is_sqlite(session):
        return
    raw = cast(Engine, session.get_bind()).raw_connection()  # sessions bind to the app's engine
    try:
        cast(sqlite3.Connection, raw.driver_connection).execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        raw.close()
