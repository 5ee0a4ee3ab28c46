"""Content hashes that identify videos: BLAKE3 today, SHA-256 for rows stored before it."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from blake3 import blake3

# A stored hash says which function made it ("blake3:<hex>"), so rows from before BLAKE3
# ("sha256:<hex>") stay comparable. Nothing outside the app sees these: they only spot
# duplicates, name a file in ETags and media links, and are quoted in audit entries.
ALGORITHM = "blake3"
LEGACY = "sha256"
BLOCK = 1024 * 1024
FILE_BLOCK = 8 * BLOCK  # large enough to spread over the cores


def new() -> Any:
    """A running BLAKE3 hasher (its update releases the GIL, ~10 GB/s a core)."""
    return blake3()


def label(hasher: Any, algorithm: str = ALGORITHM) -> str:
    """The stored form of a finished hasher: "<algorithm>:<hex>"."""
    return f"{algorithm}:{hasher.hexdigest()}"


def of_file(path: Path | str, algorithm: str = ALGORITHM) -> str:
    """The stored-form hash of a file, read in blocks into one buffer (memory stays flat).

    BLAKE3 hashes each block on every core, so this runs at about the speed of the disk.
    """
    hasher: Any  # blake3 or hashlib's: both update() and hexdigest()
    if algorithm == ALGORITHM:
        hasher, size = blake3(max_threads=blake3.AUTO), FILE_BLOCK
    else:
        hasher, size = hashlib.new(algorithm), BLOCK
    buffer = memoryview(bytearray(size))
    with open(path, "rb", buffering=0) as f:
        while n := f.readinto(buffer):
            hasher.update(buffer[:n])
    return label(hasher, algorithm)


def hex_of(content_hash: str) -> str:
    """The hex digits of a stored hash, without its algorithm."""
    return content_hash.partition(":")[2] or content_hash
