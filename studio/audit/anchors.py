"""The retention anchors: the newest dropped segment's last seq and hash, MACed."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from flask import Flask

from studio.audit import seals


@dataclass(frozen=True)
class Anchor:
    """Entries up to ``seq`` were dropped on ``at``; entry seq+1 follows ``hash``."""

    seq: int
    hash: str
    at: str
    mac: str

    def message(self) -> bytes:
        return f"audit-drop|{self.seq}|{self.hash}|{self.at}".encode()

    @property
    def day(self) -> str:
        return self.at[:10]


def path(app: Flask) -> Path:
    """The anchor file, beside the seal file."""
    return seals.path(app).with_name("audit-drops.jsonl")


def anchor(app: Flask) -> Anchor | str | None:
    """The newest anchor; a description of the problem when a line is unreadable or forged."""
    file = path(app)
    if not file.exists():
        return None
    found: Anchor | None = None
    for number, raw in enumerate(file.read_text("utf-8").splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            data = json.loads(raw)
            item = Anchor(int(data["seq"]), str(data["hash"]), str(data["at"]), str(data["mac"]))
        except (ValueError, KeyError, TypeError):
            return f"retention anchor line {number} is unreadable"
        if not seals.verify_mac(app, item.message(), item.mac):
            return f"retention anchor on line {number} has a bad MAC (forged, or the key changed)"
        if found is None or item.seq > found.seq:
            found = item
    return found
