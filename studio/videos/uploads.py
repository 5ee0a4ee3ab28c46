"""Resumable uploads with tus semantics: the server owns the offset, parts append, 409 on skew."""

from __future__ import annotations

import datetime as dt
import errno
import secrets
from dataclasses import dataclass, field
from typing import IO, Any

from flask import current_app
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from studio.audit import Action, Actor, record
from studio.db import begin_write, rowcount, utcnow
from studio.videos import digest, media, parts, services, storage
from studio.videos.models import UploadSession
from studio.videos.names import clean_display_name
from studio.videos.sizes import describe_limit


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
    # The checks read what the insert below relies on: hold the write lock from the start
    # (on SQLite a reader cannot become a writer once another upload has committed).
    begin_write(session)
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


def part_sizes() -> tuple[int, int]:
    """(first, largest) PATCH body the browser should send, within the request-size cap."""
    first, largest = int(_config("UPLOAD_PART_BYTES")), int(_config("UPLOAD_MAX_PART_BYTES"))
    cap = current_app.config.get("MAX_CONTENT_LENGTH")
    if cap:
        # Just under the cap: a body of exactly the cap is refused behind gunicorn (Werkzeug
        # cannot tell it from a longer one when the server terminates the input stream).
        largest = min(largest, int(cap) * 15 // 16)
    return min(first, largest), largest


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
    body: IO[bytes],
    body_length: int | None,
) -> Progress:
    """Write one part at `client_offset`, commit the new offset, and finish on the last byte."""
    upload = get_upload(session, upload_id, user)
    offset = _parse_offset(client_offset)
    try:
        with parts.locked(storage.part_path(upload.id)) as part:
            upload = _reload(session, upload.id)  # the offset as it is under the lock
            _check_part(upload, offset, body_length)
            hasher = parts.take_hasher(upload.id, offset)
            written = _write(part, upload, body, hasher)
            if offset + written == upload.length:
                # No offset commit for the last part: the row goes when the video is stored.
                # Should storing fail, the row still says where the last part began, and
                # sending that part again rewrites it (its bytes are on disk either way).
                return _finish(session, upload, user, hasher)
            _commit_offset(session, upload, offset + written)
            if hasher is not None:
                parts.keep_hasher(upload.id, upload.offset, hasher)
            return Progress(upload.offset, upload.length)
    except parts.Busy:
        raise UploadError(
            423, "Another request is still sending this upload. Wait a moment.", offset=offset
        ) from None
    except FileNotFoundError:
        raise UploadError(404, "This upload was cancelled.") from None


def _parse_offset(value: Any) -> int:
    try:
        offset = int(str(value).strip())
    except (TypeError, ValueError):
        raise UploadError(400, "The Upload-Offset header is missing or not a number.") from None
    if offset < 0:
        raise UploadError(400, "The Upload-Offset header cannot be negative.")
    return offset


def _reload(session: Session, upload_id: str) -> UploadSession:
    upload = session.get(UploadSession, upload_id, populate_existing=True)
    session.commit()
    if upload is None:
        raise UploadError(404, "This upload was cancelled.")
    _reconcile(session, upload)
    return upload


def _check_part(upload: UploadSession, offset: int, body_length: int | None) -> None:
    if offset != upload.offset:
        raise UploadError(
            409,
            f"The server has {upload.offset} bytes of this upload, not {offset}; "
            "resume from there.",
            offset=upload.offset,
        )
    if body_length is not None and body_length > upload.length - offset:
        raise UploadError(
            400, f"This part runs past the declared size ({upload.length} bytes).", offset=offset
        )


def _write(part: Any, upload: UploadSession, body: IO[bytes], hasher: Any) -> int:
    """Stream the body into the part file; on any error the offset stays as it was."""
    try:
        return parts.write_part(
            part,
            upload.offset,
            body,
            upload.length - upload.offset,
            hasher,
            fsync_each=bool(_config("UPLOAD_FSYNC")),
        )
    except parts.BodyTooLong:
        parts.forget_hasher(upload.id)
        raise UploadError(
            400,
            f"The upload is longer than declared ({upload.length} bytes).",
            offset=upload.offset,
        ) from None
    except OSError as exc:
        parts.forget_hasher(upload.id)
        # EFBIG (a file-size limit of the process or the filesystem) is no room all the same.
        if exc.errno not in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
            raise
        raise UploadError(
            507,
            "The server ran out of disk space while saving this upload. The last part was "
            "not saved; try again later or ask an admin to free some space.",
            offset=upload.offset,
        ) from None


def _commit_offset(session: Session, upload: UploadSession, offset: int) -> None:
    """Record the new offset (compare-and-set on the old one) and push the expiry back."""
    now = utcnow()
    moved = rowcount(
        session.execute(
            update(UploadSession)
            .where(UploadSession.id == upload.id, UploadSession.offset == upload.offset)
            .values(
                offset=offset,
                updated_at=now,
                expires_at=now + dt.timedelta(hours=float(_config("UPLOAD_SESSION_HOURS"))),
            ),
            execution_options={"synchronize_session": False},
        )
    )
    session.commit()
    if not moved:
        raise UploadError(404, "This upload was cancelled.")
    upload.offset = offset


def _finish(session: Session, upload: UploadSession, user: Any, hasher: Any) -> Progress:
    """Validate the complete file, move it into the library, and close the session."""
    upload_id, name, length = upload.id, upload.display_name, upload.length
    path = storage.part_path(upload_id)
    parts.forget_hasher(upload_id)
    content_hash = digest.label(hasher) if hasher is not None else None
    try:
        stored = services.store_file(
            session, path, name, user, consume=True, content_hash=content_hash
        )
    except media.MediaRejected as exc:
        storage.remove(path)
        _drop(session, upload_id)
        raise UploadError(
            422,
            f"{name} cannot be published on any of the platforms:",
            violations=[v.message for v in exc.violations],
        ) from None
    except FileNotFoundError:
        _drop(session, upload_id)
        raise UploadError(404, "This upload was cancelled.") from None
    _drop(session, upload_id)
    return Progress(length, length, stored, hashed_inline=content_hash is not None)


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
    offset, length = upload.offset, upload.length
    parts.forget_hasher(upload_id)
    session.execute(
        delete(UploadSession).where(UploadSession.id == upload_id),
        execution_options={"synchronize_session": False},
    )
    # Recorded before the delete commits: on SQLite the entry joins this transaction (one
    # durable commit for both), and an entry that cannot be written cancels nothing.
    record(
        Action.VIDEO_UPLOAD_CANCELLED,
        actor=Actor.user(user),
        summary=f"upload {upload_id} cancelled at {offset} of {length} bytes",
        session=session,
    )
    session.commit()
    storage.remove(storage.part_path(upload_id))


def purge_stale(session: Session, now: dt.datetime | None = None) -> int:
    """Remove expired sessions and part files nobody owns; returns how many went."""
    now = now or utcnow()
    stale = session.scalars(select(UploadSession.id).where(UploadSession.expires_at <= now)).all()
    session.commit()
    removed = 0
    for upload_id in stale:
        path = storage.part_path(upload_id)
        try:
            with parts.locked(path):  # a part being written right now is left alone
                _drop(session, upload_id)
                storage.remove(path)
        except parts.Busy:
            continue
        except FileNotFoundError:
            _drop(session, upload_id)
        parts.forget_hasher(upload_id)
        removed += 1
    return removed + _purge_orphan_parts(session, now)


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
