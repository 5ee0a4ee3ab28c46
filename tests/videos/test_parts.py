"""Part files: a long part is handed to the disk while it arrives and lands byte-exact."""

from __future__ import annotations

import io
import os
from pathlib import Path

from studio.videos import digest, parts


def test_a_part_longer_than_the_flush_step_is_written_whole(tmp_path: Path) -> None:
    data = os.urandom(parts.FLUSH_EVERY * 2 + 12345)  # several writeback hints and a tail
    path = tmp_path / "upload.part"
    path.write_bytes(b"kept" + b"torn write")
    hasher = digest.new()
    with parts.locked(path) as part:
        written = parts.write_part(part, 4, io.BytesIO(data), len(data), hasher, fsync_each=True)
    assert written == len(data)
    assert path.read_bytes() == b"kept" + data  # the torn bytes after the offset are gone
    whole = digest.new()
    whole.update(data)
    assert digest.label(hasher) == digest.label(whole)
