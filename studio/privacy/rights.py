"""Access, copy and correction requests: completed with a note, nothing erased; approval."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from studio import vault
from studio.audit import Action, Actor, record
from studio.privacy.models import DeletionRequest, RequestStatus, RequestType
from studio.privacy.receipt import KEPT_RECEIPT, kept
from studio.privacy.services import (
    RequestError,
    close,
    lock,
    past_export_window,
    start,
    subject,
)


def resolve(
    session: Session,
    req: DeletionRequest,
    actor: Actor,
    note: str,
    decided_by: int | None = None,
) -> DeletionRequest:
    """Complete a copy or correction request with a note the requester reads; erases nothing."""
    note = (note or "").strip()
    if not note:
        raise RequestError("Write the note the requester will read.")
    if req.request_type == RequestType.ERASURE:
        raise RequestError("Erasure requests are completed by carrying them out.")
    lock(session, req)
    if req.status != RequestStatus.VERIFIED:
        session.rollback()
        raise RequestError("Only verified requests can be resolved.")
    req.receipt = json.dumps({"erased": {}, "kept": [kept(KEPT_RECEIPT)]}, sort_keys=True)
    close(session, req, RequestStatus.COMPLETED, note, decided_by=decided_by)
    record(
        Action.DELETION_EXECUTED,
        actor=actor,
        summary=f"{req.request_type} request #{req.id} completed; nothing erased",
        payload={"request_id": req.id, "request_type": str(req.request_type), "note": note},
    )
    return req


def approve(session: Session, req: DeletionRequest, user: Any) -> DeletionRequest:
    """An admin accepts a verified request: an erasure runs now, a copy is marked provided."""
    if req.request_type == RequestType.COPY:
        note = "The copy was made available."
        return resolve(session, req, Actor.user(user), note, user.id)
    start(session, req, Actor.user(user))
    req.decided_by = user.id
    session.commit()
    return req


def set_notice_email(session: Session, req: DeletionRequest, email: str | None) -> None:
    """Keep (or drop) the optional address for notices, encrypted with who asked."""
    lock(session, req)
    if not req.is_open or not req.data_key:
        session.rollback()
        raise RequestError("This request is already closed.")
    data = subject(req)
    data.pop("notice_email", None)
    if email:
        data["notice_email"] = email.strip().lower()
    req.subject_enc = vault.encrypt(req.data_key, json.dumps(data))
    session.commit()


def copies_served(session: Session) -> list[DeletionRequest]:
    """Verified copy requests whose download window has passed: they complete."""
    return past_export_window(session, RequestType.COPY)


COPY_SERVED = "Your copy was available for download after verification."
