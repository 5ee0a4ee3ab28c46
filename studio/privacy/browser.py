"""This browser's server-side hold on deletion requests: filed here, named again, or verified.

Flask's cookie is signed, not encrypted, so it holds only a random handle: never a code, a link
token or a "verified" flag. Rows of ``deletion_browsers`` hold the handle's hash, the
confirmation code encrypted under a key derived from the handle (the database alone cannot
read it), and the verified mark with its end. A saved cookie replays nothing: the mark ends
on the server at confirmation or expiry.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import secrets

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app, session
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from studio import db
from studio.privacy.models import DeletionBrowser, DeletionRequest

COOKIE = "privacy_browser"
_HANDLE_LENGTH = 43  # secrets.token_urlsafe(32)


def _handle(create: bool = False) -> str | None:
    handle = session.get(COOKIE)
    if isinstance(handle, str) and len(handle) == _HANDLE_LENGTH:
        return handle
    if not create:
        return None
    handle = secrets.token_urlsafe(32)
    session[COOKIE] = handle
    return handle


def _hash(handle: str) -> str:
    return hashlib.sha256(f"deletion-browser:{handle}".encode()).hexdigest()


def _fernet(handle: str) -> Fernet:
    key = hashlib.sha256(f"deletion-browser-key:{handle}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def _lifetime() -> dt.timedelta:
    return dt.timedelta(days=int(current_app.config["DELETION_UNVERIFIED_DAYS"]))


def _mine(handle: str) -> tuple:
    return (DeletionBrowser.handle_hash == _hash(handle), DeletionBrowser.expires_at > db.utcnow())


def hold(dbs: Session, req: DeletionRequest, code: str | None = None) -> DeletionBrowser:
    """Tie ``req`` to this browser; ``code`` is kept readable by this browser only."""
    handle = _handle(create=True)
    assert handle is not None
    row = held(dbs, req.id)
    db.begin_write(dbs)
    if row is None:
        row = DeletionBrowser(
            handle_hash=_hash(handle), request_id=req.id, expires_at=db.utcnow() + _lifetime()
        )
        dbs.add(row)
    if code:
        row.code_enc = _fernet(handle).encrypt(code.encode()).decode()
    dbs.commit()
    return row


def held(dbs: Session, request_id: int) -> DeletionBrowser | None:
    """This browser's hold on the request, or None."""
    handle = _handle()
    if handle is None:
        return None
    query = select(DeletionBrowser).where(*_mine(handle), DeletionBrowser.request_id == request_id)
    return dbs.scalar(query.order_by(DeletionBrowser.id.desc()).limit(1))


def latest_filed(dbs: Session) -> DeletionBrowser | None:
    """The request this browser filed most recently (it knows the code), or None."""
    handle = _handle()
    if handle is None:
        return None
    query = select(DeletionBrowser).where(*_mine(handle), DeletionBrowser.code_enc.is_not(None))
    return dbs.scalar(query.order_by(DeletionBrowser.id.desc()).limit(1))


def code(row: DeletionBrowser | None) -> str | None:
    """The confirmation code of a held request, when this browser knows it."""
    handle = _handle()
    if row is None or handle is None or not row.code_enc:
        return None
    try:
        return _fernet(handle).decrypt(row.code_enc.encode()).decode()
    except InvalidToken:
        return None


def mark_verified(dbs: Session, req: DeletionRequest) -> None:
    """This browser proved ownership of ``req``: verified until the export window ends."""
    hours = int(current_app.config["DELETION_EXPORT_WINDOW_HOURS"])
    row = hold(dbs, req)
    db.begin_write(dbs)
    row.verified_until = db.utcnow() + dt.timedelta(hours=hours)
    dbs.commit()


def verified_request(dbs: Session) -> DeletionRequest | None:
    """The request this browser holds a live verified mark for, or None."""
    handle = _handle()
    if handle is None:
        return None
    query = select(DeletionBrowser).where(
        *_mine(handle), DeletionBrowser.verified_until > db.utcnow()
    )
    row = dbs.scalar(query.order_by(DeletionBrowser.verified_until.desc()).limit(1))
    return dbs.get(DeletionRequest, row.request_id) if row is not None else None


def end_verified(dbs: Session, req: DeletionRequest) -> None:
    """End every browser's verified mark for ``req`` (the requester confirmed)."""
    db.begin_write(dbs)
    dbs.execute(
        update(DeletionBrowser)
        .where(DeletionBrowser.request_id == req.id)
        .values(verified_until=None)
    )
    dbs.commit()
