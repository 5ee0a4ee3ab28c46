"""Deletion requests: open, verify, decide, extend and start; one place for every transition."""

from __future__ import annotations

import calendar
import datetime as dt
import json
from typing import Any

from flask import current_app
from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from studio import db, jobs, vault
from studio.audit import Action, Actor, record
from studio.privacy import codes, mail
from studio.privacy.models import (
    OPEN_STATUSES,
    DeletionBrowser,
    DeletionRequest,
    RequestStatus,
    RequestType,
)
from studio.security import external_url

EXTENSION_MAX_MONTHS = 2


class RequestError(ValueError):
    """A transition that the request's state does not allow; the message says why."""


def lock(session: Session, req: DeletionRequest) -> DeletionRequest:
    """Start a writer transaction and re-read the request under it (row lock on PostgreSQL).

    Every read-then-write goes through here: on SQLite a deferred transaction that read
    before another connection wrote cannot upgrade to a writer (SQLITE_BUSY).
    """
    db.begin_write(session)
    session.refresh(req, with_for_update=not db.is_sqlite(session))
    return req


def _refuse(session: Session, message: str) -> RequestError:
    """End the writer transaction and return the error to raise."""
    session.rollback()
    return RequestError(message)


def add_months(when: dt.datetime, months: int) -> dt.datetime:
    """The same day ``months`` calendar months later (clamped to the month's last day)."""
    month_index = when.month - 1 + months
    year, month = when.year + month_index // 12, month_index % 12 + 1
    day = min(when.day, calendar.monthrange(year, month)[1])
    return when.replace(year=year, month=month, day=day)


def open_request(
    session: Session,
    *,
    kind: str,
    source: str,
    subject: dict[str, Any],
    identifier: str,
    actor: Actor,
    verified: bool = False,
    request_type: RequestType = RequestType.ERASURE,
) -> tuple[DeletionRequest, str]:
    """Store a new request; returns it and its confirmation code (shown once, never stored)."""
    code = codes.new_code()
    key = vault.new_data_key()
    salt = codes.new_salt()
    db.begin_write(session)
    now = db.utcnow()
    req = DeletionRequest(
        code_hash=codes.hash_code(code),
        source=source,
        kind=kind,
        request_type=request_type,
        data_key=key,
        subject_enc=vault.encrypt(key, json.dumps(subject)),
        subject_salt=salt,
        subject_hash=codes.subject_hash(salt, identifier),
        received_at=now,
        due_at=add_months(now, 1),
        status=RequestStatus.VERIFIED if verified else RequestStatus.RECEIVED,
        verified_at=now if verified else None,
    )
    session.add(req)
    session.commit()
    record(
        Action.DELETION_REQUESTED,
        actor=actor,
        summary=f"{request_type} request #{req.id} received ({source}, {kind})",
        payload={
            "request_id": req.id,
            "source": source,
            "kind": kind,
            "request_type": str(request_type),
            "verified": verified,
        },
    )
    return req, code


def subject(req: DeletionRequest) -> dict[str, Any]:
    """Who the request is about, decrypted (empty once the request's key is destroyed)."""
    if not req.subject_enc or not req.data_key:
        return {}
    try:
        return json.loads(vault.decrypt(req.data_key, req.subject_enc))
    except vault.VaultError:
        return {}


def find_by_code(session: Session, code: str) -> DeletionRequest | None:
    """The request with this confirmation code, or None."""
    normal = codes.normalise(code)
    if len(normal) != codes.CODE_LENGTH or set(normal) - set(codes.ALPHABET):
        return None
    return session.scalar(
        select(DeletionRequest).where(DeletionRequest.code_hash == codes.hash_code(normal))
    )


def mark_verified(
    session: Session,
    req: DeletionRequest,
    *,
    identifier: str,
    changes: dict[str, Any],
    account_id: int | None = None,
) -> DeletionRequest:
    """The requester proved ownership: store the proven identity (encrypted) and move on."""
    lock(session, req)
    if req.status != RequestStatus.RECEIVED:
        if req.status == RequestStatus.VERIFIED:
            session.commit()
            return req
        raise _refuse(session, "This request is no longer waiting for verification.")
    data = {**subject(req), **changes}
    req.subject_enc = vault.encrypt(req.data_key, json.dumps(data))
    req.subject_hash = codes.subject_hash(req.subject_salt, identifier)
    req.status = RequestStatus.VERIFIED
    req.verified_at = db.utcnow()
    req.account_id = account_id
    session.commit()
    record(
        Action.DELETION_VERIFIED,
        actor=Actor.public(),
        summary=f"{req.request_type} request #{req.id} verified ({req.kind})",
        payload={"request_id": req.id},
        account_id=account_id,
    )
    return req


def start(session: Session, req: DeletionRequest, actor: Actor) -> DeletionRequest:
    """Move a verified request into execution and enqueue the job (idempotent)."""
    lock(session, req)
    if req.status == RequestStatus.IN_PROGRESS:
        session.commit()
        _enqueue(req)
        return req
    if req.status != RequestStatus.VERIFIED:
        raise _refuse(session, "Only verified requests can be carried out.")
    if req.request_type != RequestType.ERASURE:
        raise _refuse(session, "Only erasure requests erase anything.")
    now = db.utcnow()
    req.status = RequestStatus.IN_PROGRESS
    req.approved_at = req.approved_at or now
    req.started_at = now
    session.commit()
    record(
        Action.DELETION_DECIDED,
        actor=actor,
        summary=f"deletion request #{req.id} started",
        payload={"request_id": req.id, "decision": "start"},
    )
    _enqueue(req)
    return req


def _enqueue(req: DeletionRequest) -> None:
    jobs.enqueue("execute_request", req.id)  # studio.privacy.tasks


def reject(session: Session, req: DeletionRequest, user: Any, reason: str) -> DeletionRequest:
    """An admin refuses a request, with the reason the requester will read."""
    reason = (reason or "").strip()
    if not reason:
        raise RequestError("Give the reason the requester will read.")
    lock(session, req)
    if not req.is_open:
        raise _refuse(session, "This request is already closed.")
    if req.status == RequestStatus.IN_PROGRESS and not stopped_on_meta_match(req):
        raise _refuse(session, "Erasure has started; it cannot be rejected now.")
    close(session, req, RequestStatus.REJECTED, reason, decided_by=user.id)
    record(
        Action.DELETION_REJECTED,
        actor=Actor.user(user),
        summary=f"{req.request_type} request #{req.id} rejected",
        payload={"request_id": req.id, "reason": reason},
    )
    return req


META_MATCH = "MetaMatch"  # studio.privacy.meta.MetaMatch's name, kept as last_error


def stopped_on_meta_match(req: DeletionRequest) -> bool:
    """A Meta request whose search matched stored data: it erased nothing and may be rejected."""
    return req.kind == "meta" and req.last_error == META_MATCH


def close(
    session: Session,
    req: DeletionRequest,
    status: RequestStatus,
    reason: str | None,
    decided_by: int | None = None,
) -> None:
    """Finish a request and destroy its key, so who asked can no longer be read."""
    now = db.utcnow()
    req.status = status
    req.reason = reason
    req.decided_by = decided_by or req.decided_by
    if status == RequestStatus.REJECTED:
        req.rejected_at = now
    else:
        req.completed_at = now
    req.subject_enc = None
    req.data_key = None
    # Browser holds (the code, encrypted) have nothing left to give. Used links stay until
    # they expire, so a second use still says "already used".
    session.execute(delete(DeletionBrowser).where(DeletionBrowser.request_id == req.id))
    session.commit()


def extend(
    session: Session, req: DeletionRequest, user: Any, months: int, reason: str
) -> DeletionRequest:
    """Extend the deadline once, by up to two months, within the first month, with a reason."""
    reason = (reason or "").strip()
    if not reason:
        raise RequestError("Give the reason for the extension; the requester will read it.")
    if not 1 <= months <= EXTENSION_MAX_MONTHS:
        raise RequestError("An extension is one or two months.")
    lock(session, req)
    if not req.is_open:
        raise _refuse(session, "This request is already closed.")
    if req.extended_at is not None:
        raise _refuse(session, "The deadline has already been extended once.")
    if db.utcnow() > add_months(req.received_at, 1):
        raise _refuse(session, "An extension must be announced within one month of receipt.")
    req.extended_at = db.utcnow()
    req.extension_reason = reason
    req.due_at = add_months(req.due_at, months)
    session.commit()
    _notify_extension(req)
    record(
        Action.DELETION_EXTENDED,
        actor=Actor.user(user),
        summary=f"{req.request_type} request #{req.id} extended by {months} month(s)",
        payload={"request_id": req.id, "months": months, "reason": reason},
    )
    return req


def _notify_extension(req: DeletionRequest) -> None:
    """Tell the requester: by e-mail when we have one; the status page always shows it."""
    email = subject(req).get("notice_email") or subject(req).get("email")
    if not email:
        return
    mail.send(
        email,
        f"Your data {'deletion ' if req.request_type == RequestType.ERASURE else ''}request: "
        "deadline extended",
        f"We need more time to complete your request.\n\nReason: {req.extension_reason}\n"
        f"New deadline: {req.due_at:%d %B %Y}.\n\nYou can follow it with your confirmation "
        f"code on {external_url('privacy.status_lookup')}",
    )


def open_requests(session: Session) -> list[DeletionRequest]:
    """Open requests, the most urgent first."""
    query = select(DeletionRequest).where(DeletionRequest.status.in_(OPEN_STATUSES))
    return list(session.scalars(query.order_by(DeletionRequest.due_at)))


def closed_requests(session: Session, limit: int = 50) -> list[DeletionRequest]:
    """Recently closed requests."""
    query = select(DeletionRequest).where(DeletionRequest.status.not_in(OPEN_STATUSES))
    return list(session.scalars(query.order_by(DeletionRequest.id.desc()).limit(limit)))


def urgency(req: DeletionRequest, now: dt.datetime | None = None) -> str:
    """ "overdue", "due-soon" or "" for the staff queue."""
    if not req.is_open:
        return ""
    left = req.time_left(now)
    if left.total_seconds() < 0:
        return "overdue"
    if left <= dt.timedelta(days=int(current_app.config["DELETION_DUE_SOON_DAYS"])):
        return "due-soon"
    return ""


def due_for_auto_start(session: Session) -> list[DeletionRequest]:
    """Verified requests whose export window has passed, when auto-execution is on."""
    if not current_app.config["DELETION_AUTO_EXECUTE"]:
        return []
    return past_export_window(session, RequestType.ERASURE)


def past_export_window(session: Session, request_type: RequestType) -> list[DeletionRequest]:
    """Verified requests of ``request_type`` whose download window has passed."""
    hours = int(current_app.config["DELETION_EXPORT_WINDOW_HOURS"])
    cutoff = db.utcnow() - dt.timedelta(hours=hours)
    query = select(DeletionRequest).where(
        DeletionRequest.status == RequestStatus.VERIFIED,
        DeletionRequest.verified_at <= cutoff,
        DeletionRequest.request_type == request_type,
    )
    return list(session.scalars(query))


def stuck(session: Session, minutes: int = 10) -> list[DeletionRequest]:
    """In-progress requests not touched for a while (their job was lost)."""
    cutoff = db.utcnow() - dt.timedelta(minutes=minutes)
    query = select(DeletionRequest).where(
        DeletionRequest.status == RequestStatus.IN_PROGRESS,
        DeletionRequest.updated_at <= cutoff,
        # A Meta search that matched waits for an administrator, not for another try.
        or_(DeletionRequest.last_error.is_(None), DeletionRequest.last_error != META_MATCH),
    )
    return list(session.scalars(query))


def receipt(req: DeletionRequest) -> dict[str, Any]:
    """What was erased and what was kept (empty until completed)."""
    return json.loads(req.receipt) if req.receipt else {}
