"""Resumable uploads with tus semantics: the server owns the offset, parts append, 409 on skew."""

from __future__ import annotations

import datetime as dt
import errno
import secrets
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from flask import current_app
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from studio.audit import Action, Actor, record
from studio.db import utcnow
from studio.videos import media, parts, services, storage
from studio.videos.models import UploadSession
from studio.videos.names import clean_display_name
from studio.videos.sizes import describe_limit

LEASE = dt.timedelta(seconds=60)
RENEW_EVERY = dt.timedelta(seconds=20)


class UploadError(Exception):
    """An upload request that cannot be honoured: HTTP status, plain message, extra facts."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        offset: int | None = None,
        violations: list[str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.offset = offset
        self.violations = violations or []


@dataclass(frozen=True)
class Progress:
    """The committed offset after a part; `stored` is set once the last part made a video."""

    offset: int
    length: int
    stored: services.Stored | None = None
    hashed_inline: bool = field(default=False, compare=False)


def _config(key: str) -> Any:
    return current_app.config[key]


def start_upload(session: Session, user: Any, length: Any, name: Any) -> UploadSession:
    """Open an upload session after checking the declared size against the limit and the disk."""
    length = _parse_length(length)
    limit = int(_config("MAX_VIDEO_BYTES"))
    if length > limit:
        raise UploadError(413, too_large(length, limit))
    _check_room(session, length)
    _check_open_sessions(session, user)
    now = utcnow()
    upload = UploadSession(
        id=secrets.token_urlsafe(24),
        user_id=user.id,
        display_name=clean_display_name(name),
        length=length,
        offset=0,
        created_at=now,
        updated_at=now,
        expires_at=now + dt.timedelta(hours=float(_config("UPLOAD_SESSION_HOURS"))),
    )
    path = storage.part_path(upload.id)
    with open(path, "xb"):
        pass
    session.add(upload)
    try:
        session.commit()
    except Exception:
        storage.remove(path)
        raise
    return upload


def _parse_length(value: Any) -> int:
    try:
        length = int(str(value).strip())
    except (TypeError, ValueError):
        raise UploadError(400, "Say how large the file is (length, in bytes).") from None
    if length < 1:
        raise UploadError(400, "The file is empty. Choose a video file.")
    return length


def too_large(length: int, limit: int) -> str:
    """The 413 message: the limit in words."""
    return f"This file is {describe_limit(length)}; videos can be at most {describe_limit(limit)}."


def _check_room(session: Session, length: int) -> None:
    reserve = int(_config("UPLOAD_RESERVE_BYTES"))
    promised = session.scalar(
        select(func.coalesce(func.sum(UploadSession.length - UploadSession.offset), 0)).where(
            UploadSession.expires_at > utcnow()
        )
    )
    if storage.free_bytes() - int(promised or 0) < length + reserve:
        raise UploadError(
            507,
            f"The server does not have room for {describe_limit(length)} right now. "
            "Nothing was saved; ask an admin to free some space.",
        )


def _check_open_sessions(session: Session, user: Any) -> None:
    cap = int(_config("UPLOAD_MAX_OPEN_PER_USER"))
    open_now = session.scalar(
        select(func.count(UploadSession.id)).where(
            UploadSession.user_id == user.id, UploadSession.expires_at > utcnow()
        )
    )
    if (open_now or 0) >= cap:
        raise UploadError(
            429, f"You have {open_now} unfinished uploads. Finish or cancel one, then try again."
        )


def get_upload(session: Session, upload_id: str, user: Any) -> UploadSession:
    """The caller's own live upload session, or UploadError 404 (others' look the same)."""
    upload = session.get(UploadSession, upload_id)
    session.commit()  # end the read transaction; a PATCH must not hold one while streaming
    if upload is None or upload.user_id != user.id or upload.is_expired():
        raise UploadError(404, "This upload has expired or was cancelled. Start it again.")
    _reconcile(session, upload)
    return upload


def _reconcile(session: Session, upload: UploadSession) -> None:
    """Never report bytes the disk lost (a power cut before they were flushed, a removed file)."""
    size = parts.disk_size(storage.part_path(upload.id))
    if size >= upload.offset:
        return
    session.execute(
        update(UploadSession)
        .where(UploadSession.id == upload.id, UploadSession.offset == upload.offset)
        .values(offset=size)
    )
    session.commit()
    parts.forget_hasher(upload.id)
    upload.offset = size


def append(
    session: Session,
    upload_id: str,
    user: Any,
    client_offset: Any,
    body: BinaryIO,
    body_length: int | None,
) -> Progress:
    """Write one part at `client_offset`, commit the new offset, and finish on the last byte."""
    upload = get_upload(session, upload_id, user)
    offset = _parse_offset(client_offset)
    if offset != upload.offset:
        raise UploadError(
            409,
            f"The server has {upload.offset} bytes of this upload, not {offset}; "
            "resume from there.",
            offset=upload.offset,
        )
    room = upload.length - offset
    if body_length is not None and body_length > room:
        raise UploadError(
            400, f"This part runs past the declared size ({upload.length} bytes).", offset=offset
        )
    token = _take_lease(session, upload, offset)
    hasher = parts.take_hasher(upload.id, offset)
    written = _write_part(session, upload, token, body, room, hasher)
    new_offset = offset + written
    _commit_offset(session, upload, token, new_offset)
    if hasher is not None:
        parts.keep_hasher(upload.id, new_offset, hasher)
    if new_offset < upload.length:
        return Progress(new_offset, upload.length)
    return _finish(session, upload, user, hasher)


def _parse_offset(value: Any) -> int:
    try:
        offset = int(str(value).strip())
    except (TypeError, ValueError):
        raise UploadError(400, "The Upload-Offset header is missing or not a number.") from None
    if offset < 0:
        raise UploadError(400, "The Upload-Offset header cannot be negative.")
    return offset


def _take_lease(session: Session, upload: UploadSession, offset: int) -> str:
    """Claim the session for this request (conditional UPDATE), or refuse with 409/423."""
    token, now = secrets.token_hex(16), utcnow()
    claimed = session.execute(
        update(UploadSession)
        .where(
            UploadSession.id == upload.id,
            UploadSession.offset == offset,
            or_(UploadSession.lease_until.is_(None), UploadSession.lease_until < now),
        )
        .values(lease_token=token, lease_until=now + LEASE)
    ).rowcount
    session.commit()
    if claimed:
        return token
    session.refresh(upload)
    session.commit()
    if upload.offset != offset:
        raise UploadError(
            409,
            f"The server now has {upload.offset} bytes; resume from there.",
            offset=upload.offset,
        )
    raise UploadError(
        423, "Another request is still sending this upload. Wait a moment.", offset=upload.offset
    )


def _renew_lease(session: Session, upload: UploadSession, token: str) -> bool:
    renewed = session.execute(
        update(UploadSession)
        .where(UploadSession.id == upload.id, UploadSession.lease_token == token)
        .values(lease_until=utcnow() + LEASE)
    ).rowcount
    session.commit()
    return bool(renewed)


def _release_lease(session: Session, upload: UploadSession, token: str) -> None:
    session.execute(
        update(UploadSession)
        .where(UploadSession.id == upload.id, UploadSession.lease_token == token)
        .values(lease_token=None, lease_until=None)
    )
    session.commit()


def _write_part(
    session: Session, upload: UploadSession, token: str, body: BinaryIO, room: int, hasher: Any
) -> int:
    """Stream the body into the part file under the lease; errors leave the offset as it was."""
    path = storage.part_path(upload.id)
    renew_at = [utcnow() + RENEW_EVERY]

    def heartbeat() -> None:
        if utcnow() >= renew_at[0]:
            if not _renew_lease(session, upload, token):
                raise UploadError(404, "This upload was cancelled.")
            renew_at[0] = utcnow() + RENEW_EVERY

    try:
        written = parts.write_part(
            path,
            upload.offset,
            body,
            room,
            hasher,
            fsync_each=bool(_config("UPLOAD_FSYNC")),
            heartbeat=heartbeat,
        )
    except FileNotFoundError:
        _release_lease(session, upload, token)
        raise UploadError(404, "This upload was cancelled.") from None
    except (OSError, UploadError, parts.BodyTooLong) as exc:
        parts.truncate(path, upload.offset)
        parts.forget_hasher(upload.id)
        _release_lease(session, upload, token)
        raise _as_upload_error(exc, upload) from None
    return written


def _as_upload_error(exc: Exception, upload: UploadSession) -> Exception:
    if isinstance(exc, UploadError):
        return exc
    if isinstance(exc, parts.BodyTooLong):
        return UploadError(400, f"The upload is longer than declared ({upload.length} bytes).")
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return UploadError(
            507,
            "The server ran out of disk space while saving this upload. The last part was "
            "not saved; try again later or ask an admin to free some space.",
            offset=upload.offset,
        )
    return exc


def _commit_offset(session: Session, upload: UploadSession, token: str, offset: int) -> None:
    now = utcnow()
    moved = session.execute(
        update(UploadSession)
        .where(UploadSession.id == upload.id, UploadSession.lease_token == token)
        .values(
            offset=offset,
            updated_at=now,
            expires_at=now + dt.timedelta(hours=float(_config("UPLOAD_SESSION_HOURS"))),
            lease_token=None if offset < upload.length else token,
            lease_until=None if offset < upload.length else now + LEASE,
        )
    ).rowcount
    session.commit()
    if not moved:
        raise UploadError(404, "This upload was cancelled.")
    upload.offset = offset


def _finish(session: Session, upload: UploadSession, user: Any, hasher: Any) -> Progress:
    """Validate the complete file, move it into the library, and close the session."""
    upload_id, name, length = upload.id, upload.display_name, upload.length
    path = storage.part_path(upload_id)
    parts.forget_hasher(upload_id)
    digest = hasher.hexdigest() if hasher is not None else None
    try:
        stored = services.store_file(session, path, name, user, consume=True, sha256=digest)
    except media.MediaRejected as exc:
        storage.remove(path)
        _drop(session, upload_id)
        raise UploadError(
            422,
            f"{name} cannot be sent to TikTok.",
            violations=[v.message for v in exc.violations],
        ) from None
    except FileNotFoundError:
        _drop(session, upload_id)
        raise UploadError(404, "This upload was cancelled.") from None
    _drop(session, upload_id)
    return Progress(length, length, stored, hashed_inline=digest is not None)


def _drop(session: Session, upload_id: str) -> None:
    session.rollback()
    session.execute(
        delete(UploadSession).where(UploadSession.id == upload_id),
        execution_options={"synchronize_session": False},
    )
    session.commit()


def cancel(session: Session, upload_id: str, user: Any) -> None:
    """Stop an upload: its part file and row are removed."""
    upload = get_upload(session, upload_id, user)
    name, offset, length = upload.display_name, upload.offset, upload.length
    parts.forget_hasher(upload_id)
    _drop(session, upload_id)
    storage.remove(storage.part_path(upload_id))
    record(
        Action.VIDEO_UPLOAD_CANCELLED,
        actor=Actor.user(user),
        summary=f"upload of {name} cancelled at {offset} of {length} bytes",
    )


def purge_stale(session: Session, now: dt.datetime | None = None) -> int:
    """Remove expired sessions and part files nobody owns; returns how many went."""
    now = now or utcnow()
    stale = session.scalars(
        select(UploadSession.id).where(
            UploadSession.expires_at <= now,
            or_(UploadSession.lease_until.is_(None), UploadSession.lease_until < now),
        )
    ).all()
    for upload_id in stale:
        session.execute(delete(UploadSession).where(UploadSession.id == upload_id))
        session.commit()
        storage.remove(storage.part_path(upload_id))
        parts.forget_hasher(upload_id)
    return len(stale) + _purge_orphan_parts(session, now)


def _purge_orphan_parts(session: Session, now: dt.datetime) -> int:
    """Part files without a row (a crash between steps), once they are an hour old."""
    live = set(session.scalars(select(UploadSession.id)).all())
    session.commit()
    cutoff = (now - dt.timedelta(hours=1)).timestamp()
    removed = 0
    for path in storage.partial_dir().iterdir():
        upload_id = path.name.split(".", 1)[0]
        if upload_id in live or not path.is_file():
            continue
        if path.stat().st_mtime < cutoff and storage.remove(path):
            removed += 1
    return removed
