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
from pathlib import Path
from typing import IO, Any

from werkzeug.exceptions import ClientDisconnected

from studio.videos import digest

BLOCK = 1024 * 1024
# While a part arrives, what was written is handed to the disk every FLUSH_EVERY bytes.
FLUSH_EVERY = 8 * BLOCK
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
    part: io.FileIO, offset: int, body: IO[bytes], room: int, hasher: Any, *, fsync_each: bool
) -> int:
    """Append the body at `offset` (cutting anything after it first); returns bytes written.

    A body that ends early (the client went away) keeps what arrived. The part is flushed to
    the disk (fdatasync) when `fsync_each` is set and always when it completes the file.
    Raises BodyTooLong, OSError from the disk, or the 413 of a body over its cap; whatever is
    raised, the file is cut back to `offset` first.
    """
    part.truncate(offset)  # a torn write after the last commit never counts
    part.seek(offset)
    try:
        written = _copy(body, part, room, hasher, _Writeback(part.fileno(), offset))
        if fsync_each or written == room:
            # The offset committed next must survive a power cut. fdatasync flushes the data
            # and the size (what reading it back needs), not the times: one journal write less.
            os.fdatasync(part.fileno())
    except Exception:
        with contextlib.suppress(OSError):
            part.truncate(offset)
        raise
    return written


def _copy(body: IO[bytes], part: io.FileIO, room: int, hasher: Any, writeback: _Writeback) -> int:
    # Each block is written and hashed as the server handed it over (no copy into a buffer of
    # our own). BLAKE3 hashes a block in a tenth of the time it takes to receive it: inline.
    written = 0
    while written < room:
        block = read_block(body, min(BLOCK, room - written))
        if not block:
            return written
        write_all(part, memoryview(block))
        if hasher is not None:
            hasher.update(block)
        written += len(block)
        writeback.wrote(len(block))
    if read_block(body, 1):
        raise BodyTooLong()
    return written


class _Writeback:
    """Start writing the part to disk while it still arrives, every FLUSH_EVERY bytes.

    posix_fadvise(DONTNEED) queues the dirty pages of a range for writeback without waiting,
    and drops the ones already on disk (a large upload does not flood the page cache). Only a
    hint: durability still comes from the fsync that ends the part, which then waits for the
    last few MiB instead of the whole part.
    """

    def __init__(self, fd: int, offset: int) -> None:
        self.fd = fd
        self.queued = self.mark = self.end = offset  # queued ≤ mark ≤ end

    def wrote(self, n: int) -> None:
        self.end += n
        if self.end - self.mark < FLUSH_EVERY:
            return
        # [queued, mark) went to the disk at the previous call, and its clean pages go now;
        # [mark, end) starts its way to the disk.
        with contextlib.suppress(OSError):
            os.posix_fadvise(self.fd, self.queued, self.end - self.queued, os.POSIX_FADV_DONTNEED)
        self.queued, self.mark = self.mark, self.end


def read_block(body: IO[bytes], size: int) -> bytes:
    """Up to `size` bytes of the request body; b"" at its end or when the client disconnected."""
    try:
        return body.read(size) or b""
    except (ClientDisconnected, OSError, ValueError):
        return b""


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
