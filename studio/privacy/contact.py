"""The contact form for privacy questions: store the message, deliver it, forget it in time."""

from __future__ import annotations

import datetime as dt
import logging
import smtplib

from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from studio import db
from studio.audit import Action, Actor, record
from studio.privacy import mail
from studio.privacy.models import ContactMessage

log = logging.getLogger(__name__)

REDELIVER_AFTER = dt.timedelta(minutes=5)


def receive(session: Session, name: str, email: str, message: str) -> ContactMessage:
    """Store a question and deliver it to the operator through the mail outbox (or SMTP); a
    message the mail server refused is kept and `redeliver` tries it again."""
    row = ContactMessage(name=name, email=email, message=message)
    session.add(row)
    session.commit()
    deliver(session, row)
    record(
        Action.CONTACT_RECEIVED,
        actor=Actor.system("contact"),
        summary=f"contact message #{row.id} received",
    )
    return row


def deliver(session: Session, row: ContactMessage) -> bool:
    """Mail one stored message to the operator; True once delivered (False: kept for later)."""
    body = (
        f"A privacy question arrived through the contact form (message #{row.id}).\n\n"
        f"From: {row.name} <{row.email}>\n\n{row.message}\n\n"
        f"Answer by e-mail to the address above. The message is deleted "
        f"{current_app.config['CONTACT_RETENTION_DAYS']} days after it arrived.\n"
    )
    try:
        mail.send(current_app.config["OPERATOR_EMAIL"], f"Privacy question #{row.id}", body)
    except (OSError, smtplib.SMTPException) as exc:
        # Kept undelivered (delivered_at stays empty); only the type: messages may quote data.
        log.warning("contact message %s not delivered: %s", row.id, type(exc).__name__)
        return False
    row.delivered_at = db.utcnow()
    session.commit()
    return True


def redeliver(session: Session) -> int:
    """Try again every message the mail server refused; returns how many went out now.

    Only messages older than REDELIVER_AFTER: a newer one may still be in `receive`'s own
    attempt (the operator could get it twice). Stops at the first failure: the server is
    still down, the next run tries again. A crash between sending and recording sends it
    twice, never zero times.
    """
    cutoff = db.utcnow() - REDELIVER_AFTER
    waiting = list(
        session.scalars(
            select(ContactMessage)
            .where(ContactMessage.delivered_at.is_(None), ContactMessage.received_at < cutoff)
            .order_by(ContactMessage.id)
        )
    )
    session.commit()  # no snapshot held across the mail server's answers
    sent = 0
    for row in waiting:
        if not deliver(session, row):
            break
        sent += 1
    return sent


def purge(session: Session, dry_run: bool = False) -> int:
    """Delete messages older than CONTACT_RETENTION_DAYS; returns how many."""
    if not dry_run:
        db.begin_write(session)
    days = int(current_app.config["CONTACT_RETENTION_DAYS"])
    cutoff = db.utcnow() - dt.timedelta(days=days)
    ids = list(
        session.scalars(select(ContactMessage.id).where(ContactMessage.received_at < cutoff))
    )
    if ids and not dry_run:
        session.execute(delete(ContactMessage).where(ContactMessage.id.in_(ids)))
    session.commit()
    return len(ids)
