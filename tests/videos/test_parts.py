"""Part files: a long part is handed to the disk while it arrives and lands byte-exact."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from studio.bodies import BodyTooLarge, CappedInput
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


def test_a_body_that_passes_its_cap_mid_part_leaves_nothing_after_the_offset(
    tmp_path: Path,
) -> None:
    # A chunked body declares no length: the cap is hit after whole blocks were written.
    cap = parts.BLOCK * 3 // 2
    path = tmp_path / "upload.part"
    path.write_bytes(b"kept")
    body = CappedInput(io.BytesIO(b"x" * parts.BLOCK * 2), cap)
    with parts.locked(path) as part, pytest.raises(BodyTooLarge):
        parts.write_part(part, 4, body, parts.BLOCK * 4, None, fsync_each=True)
    assert path.read_bytes() == b"kept"


def test_the_capped_body_ends_at_its_declared_length(tmp_path: Path) -> None:
    # The server's stream may run on (a keep-alive socket): reading stops at Content-Length.
    body = CappedInput(io.BytesIO(b"part" + b"next request"), 100)
    body.length = 4
    path = tmp_path / "upload.part"
    path.write_bytes(b"")
    with parts.locked(path) as part:
        assert parts.write_part(part, 0, body, 10, None, fsync_each=False) == 4
    assert path.read_bytes() == b"part"
