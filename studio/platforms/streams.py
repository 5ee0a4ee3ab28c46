"""A slice of an open file streamed as a request body at constant memory (any platform)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO

BLOCK = 1024 * 1024  # bytes read from disk and handed to the socket at a time


class FileSlice:
    """`length` bytes of an open file from `offset`, iterated in 1 MiB blocks, length known.

    requests sends an iterable with ``__len__`` as a plain body with Content-Length (never
    chunked encoding), block by block: memory stays constant whatever the slice's size.
    """

    def __init__(self, file: IO[bytes], offset: int, length: int) -> None:
        self.file, self.offset, self.length = file, offset, length

    def __len__(self) -> int:
        return self.length

    def __iter__(self) -> Iterator[bytes]:
        self.file.seek(self.offset)
        remaining = self.length
        while remaining > 0:
            block = self.file.read(min(BLOCK, remaining))
            if not block:
                raise OSError(f"the file ended {remaining} bytes before the slice's end")
            remaining -= len(block)
            yield block
