"""Part files of uploads in progress: stream a request body in, hash it, cut torn writes.

One request at a time writes a part file: it holds an exclusive flock(2) on the file while it
reads the committed offset, appends, and commits the new one. The kernel drops the lock when
the request ends or its process dies, so a crash never leaves the upload locked. The lock
works across worker processes, and across hosts on shared storage that supports locks (NFSv4).
"""

from __future__ import annotations

import contextlib
import fcntl
import io
import os
from collections import OrderedDict
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, BinaryIO

from werkzeug.exceptions import ClientDisconnected

from studio.videos import digest

BLOCK = 1024 * 1024
# While a part arrives, the bytes written so far are flushed to disk in the background every
# FLUSH_EVERY bytes, so the fsync that acknowledges the part waits only for the last few.
FLUSH_EVERY = 16 * BLOCK
# The hash is computed while the bytes arrive. Hashers cannot be stored, so the running
# hash lives in the process that received the previous part; a part that lands in another
# worker (or after a restart) drops it, and the hash is then computed once from disk at the end.
_HASHERS: OrderedDict[str, tuple[int, Any]] = OrderedDict()
_MAX_HASHERS = 256


class BodyTooLong(ValueError):
    """The request body holds more bytes than the upload has room for."""


class Busy(Exception):
    """Another request is writing this part file right now."""


@contextlib.contextmanager
def locked(path: Path) -> Iterator[io.FileIO]:
    """The part file open for writing under an exclusive lock; Busy if someone holds it."""
    part = open(path, "r+b", buffering=0)  # closing it drops the lock
    try:
        try:
            fcntl.flock(part.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise Busy() from None
        yield part
    finally:
        part.close()


def take_hasher(upload_id: str, offset: int) -> Any:
    """The running hash of the first `offset` bytes, if this process has it (else None)."""
    cached = _HASHERS.pop(upload_id, None)
    if offset == 0:
        return digest.new()
    if cached is not None and cached[0] == offset:
        return cached[1]
    return None


def keep_hasher(upload_id: str, offset: int, hasher: Any) -> None:
    """Remember the running hash for the next part (a bounded, least-recent-first cache)."""
    _HASHERS[upload_id] = (offset, hasher)
    while len(_HASHERS) > _MAX_HASHERS:
        _HASHERS.popitem(last=False)


def forget_hasher(upload_id: str) -> None:
    _HASHERS.pop(upload_id, None)


def write_part(
    part: io.FileIO, offset: int, body: BinaryIO, room: int, hasher: Any, *, fsync_each: bool
) -> int:
    """Append the body at `offset` (cutting anything after it first); returns bytes written.

    A body that ends early (the client went away) keeps what arrived. The part is fsynced when
    `fsync_each` is set and always when it completes the file. Raises BodyTooLong, and OSError
    from the disk; either way the file is cut back to `offset`.
    """
    part.truncate(offset)  # a torn write after the last commit never counts
    part.seek(offset)
    try:
        with _Flusher(part.fileno()) as flusher:
            written = _copy(body, part, room, hasher, flusher)
        if fsync_each or written == room:
            os.fsync(part.fileno())  # the offset committed next must survive a power cut
    except (OSError, BodyTooLong):
        with contextlib.suppress(OSError):
            part.truncate(offset)
        raise
    return written


def _copy(body: BinaryIO, part: io.FileIO, room: int, hasher: Any, flusher: _Flusher) -> int:
    # BLAKE3 hashes a block in a tenth of the time it takes to receive it, so it runs inline.
    view = memoryview(bytearray(BLOCK))
    written = 0
    while written < room:
        n = read_into(body, view[: min(BLOCK, room - written)])
        if not n:
            return written
        write_all(part, view[:n])
        if hasher is not None:
            hasher.update(view[:n])
        written += n
        flusher.wrote(n)
    if read_into(body, view[:1]):
        raise BodyTooLong()
    return written


class _Flusher:
    """fdatasync the file from a helper thread every FLUSH_EVERY bytes written.

    The disk then writes while the network delivers, instead of after; a flush failing raises
    its OSError at the end of the part. At most one flush is in flight.
    """

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.pool: ThreadPoolExecutor | None = None
        self.pending: Future[None] | None = None
        self.unflushed = 0

    def wrote(self, n: int) -> None:
        self.unflushed += n
        if self.unflushed < FLUSH_EVERY or (self.pending and not self.pending.done()):
            return
        if self.pending is not None:
            self.pending.result()
        self.pool = self.pool or ThreadPoolExecutor(max_workers=1)
        self.pending = self.pool.submit(os.fdatasync, self.fd)
        self.unflushed = 0

    def __enter__(self) -> _Flusher:
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if self.pending is not None:
                self.pending.result()
        finally:
            if self.pool is not None:
                self.pool.shutdown()


def read_into(body: BinaryIO, view: memoryview) -> int:
    """Fill `view` from the request body; 0 at its end or when the client disconnected."""
    try:
        if hasattr(body, "readinto"):  # Werkzeug's LimitedStream: no intermediate bytes
            return body.readinto(view) or 0
        data = body.read(len(view))  # gunicorn hands over its own body reader
    except (ClientDisconnected, OSError, ValueError):
        return 0
    view[: len(data)] = data
    return len(data)


def write_all(part: Any, data: memoryview) -> None:
    """Write every byte (a raw file may write fewer than asked)."""
    while data:
        done = part.write(data)
        data = data[done:]


def disk_size(path: Path) -> int:
    """Bytes the part file really holds; an absent file is recreated empty."""
    try:
        return path.stat().st_size
    except FileNotFoundError:
        path.touch(mode=0o600)
        return 0
