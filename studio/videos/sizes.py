"""File sizes in words for limits and messages ("4 GiB", "512.5 MiB")."""

from __future__ import annotations

UNITS = (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10))


def describe_limit(size: int) -> str:
    """A byte count in binary units with at most two decimals; exact multiples stay whole."""
    for unit, scale in UNITS:
        if size >= scale:
            return f"{size / scale:.2f}".rstrip("0").rstrip(".") + f" {unit}"
    return f"{size} bytes"
