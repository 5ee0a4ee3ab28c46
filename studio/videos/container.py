"""File structure checks by magic bytes: MP4/MOV boxes and WebM (EBML) headers."""

from __future__ import annotations

import os
from pathlib import Path

HEAD_BYTES = 4096
EBML_MAGIC = b"\x1a\x45\xdf\xa3"
_SEGMENT_ID = 0x18538067
_DOCTYPE_ID = 0x4282
_MP4_BRANDS = frozenset(
    {b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"M4V ",
     b"M4VH", b"M4VP", b"dash", b"mmp4", b"MSNV", b"XAVC"}
)  # fmt: skip
# ISO media brands that are stills, audio or other non-video payloads.
_NOT_VIDEO_BRANDS = frozenset({b"heic", b"heix", b"mif1", b"msf1", b"avif", b"M4A ", b"M4B "})


class MediaError(Exception):
    """A file that cannot be read as a video; `rule` says which check failed."""

    def __init__(self, message: str, rule: str = "readable") -> None:
        super().__init__(message)
        self.rule = rule


def read_head(path: Path | str) -> bytes:
    """The first HEAD_BYTES of a file, where every magic number we check lives."""
    with open(path, "rb") as f:
        return f.read(HEAD_BYTES)


def sniff(path: Path | str) -> str | None:
    """Name the container ("mp4", "mov" or "webm") from magic bytes, or None."""
    head = read_head(path)
    brands = ftyp_brands(head)
    if brands:
        major, compatible = brands[0], brands[1:]
        if major == b"qt  ":
            return "mov"
        if major in _MP4_BRANDS:
            return "mp4"
        if major not in _NOT_VIDEO_BRANDS and _MP4_BRANDS.intersection(compatible):
            return "mp4"
        return None
    return "webm" if ebml_doctype(head) == "webm" else None


def ftyp_brands(head: bytes) -> list[bytes]:
    """The major then compatible brands of a leading `ftyp` box, or []."""
    if len(head) < 16 or head[4:8] != b"ftyp":
        return []
    size = int.from_bytes(head[:4], "big")
    if size < 16 or size > len(head) or size % 4:
        return []
    return [head[8:12]] + [head[i : i + 4] for i in range(16, size, 4)]


def _vint(buf: bytes, pos: int, keep_marker: bool = False) -> tuple[int, int]:
    """Decode an EBML variable-length integer at `pos`: (value, length in bytes)."""
    if pos >= len(buf) or buf[pos] == 0:
        raise ValueError("bad EBML vint")
    length = 9 - buf[pos].bit_length()
    if pos + length > len(buf):
        raise ValueError("short EBML vint")
    value = int.from_bytes(buf[pos : pos + length], "big")
    if not keep_marker:
        value &= (1 << (7 * length)) - 1
    return value, length


def _ebml_header(head: bytes) -> tuple[dict[int, bytes], int] | None:
    """Children of the EBML header element and the offset just past it, or None."""
    if not head.startswith(EBML_MAGIC):
        return None
    try:
        size, n = _vint(head, 4)
        pos, end, children = 4 + n, 4 + n + size, {}
        while pos < min(end, len(head)):
            eid, a = _vint(head, pos, keep_marker=True)
            esize, b = _vint(head, pos + a)
            children[eid] = head[pos + a + b : pos + a + b + esize]
            pos += a + b + esize
    except ValueError:
        return None
    return children, end


def ebml_doctype(head: bytes) -> str | None:
    """The DocType of an EBML header ("webm", "matroska"), or None."""
    header = _ebml_header(head)
    if header is None or _DOCTYPE_ID not in header[0]:
        return None
    return header[0][_DOCTYPE_ID].rstrip(b"\0").decode("ascii", "replace")


def check_structure(path: Path | str, container: str) -> None:
    """Catch truncated or padded files cheaply, before FFmpeg sees them."""
    if container in ("mp4", "mov"):
        _check_mp4_boxes(path)
    elif container in ("webm", "matroska"):
        _check_ebml_segment(path)


def _check_mp4_boxes(path: Path | str) -> None:
    size, pos, seen = os.path.getsize(path), 0, set()
    with open(path, "rb") as f:
        while pos < size:
            f.seek(pos)
            header = f.read(16)
            box_size, box_type = int.from_bytes(header[:4], "big"), header[4:8]
            if len(header) < 8 or not all(32 <= c < 127 for c in box_type):
                raise MediaError("file is damaged: unexpected data between MP4 boxes")
            if box_size == 1:
                box_size = int.from_bytes(header[8:16], "big")
            elif box_size == 0:
                box_size = size - pos
            if box_size < 8:
                raise MediaError("file is damaged: invalid MP4 box size")
            if pos + box_size > size:
                raise MediaError("file is truncated: it ends before its last part is complete")
            seen.add(box_type)
            pos += box_size
    if b"moov" not in seen:
        raise MediaError("file is incomplete: it has no movie header (moov box)")


def _check_ebml_segment(path: Path | str) -> None:
    head = read_head(path)
    header = _ebml_header(head)
    if header is None:
        raise MediaError("file is damaged: invalid WebM header")
    pos = header[1]
    try:
        seg_id, a = _vint(head, pos, keep_marker=True)
        seg_size, b = _vint(head, pos + a)
    except ValueError:
        raise MediaError("file is truncated: it ends inside the WebM header") from None
    if seg_id != _SEGMENT_ID:
        raise MediaError("file is damaged: no WebM segment after the header")
    unknown_size = seg_size == (1 << (7 * b)) - 1
    if not unknown_size and pos + a + b + seg_size > os.path.getsize(path):
        raise MediaError("file is truncated: it ends before its last part is complete")
