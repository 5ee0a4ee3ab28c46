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


def new() -> Any:
    """A running BLAKE3 hasher (its update releases the GIL, ~10 GB/s a core)."""
    return blake3()


def label(hasher: Any, algorithm: str = ALGORITHM) -> str:
    """The stored form of a finished hasher: "<algorithm>:<hex>"."""
    return f"{algorithm}:{hasher.hexdigest()}"


def of_file(path: Path | str, algorithm: str = ALGORITHM) -> str:
    """The stored-form hash of a file (BLAKE3 mapped and multithreaded; SHA-256 in blocks)."""
    if algorithm == ALGORITHM:
        return label(blake3(max_threads=blake3.AUTO).update_mmap(path))
    hasher = hashlib.new(algorithm)
    with open(path, "rb") as f:
        while block := f.read(BLOCK):
            hasher.update(block)
    return label(hasher, algorithm)


def hex_of(content_hash: str) -> str:
    """The hex digits of a stored hash, without its algorithm."""
    return content_hash.partition(":")[2] or content_hash
