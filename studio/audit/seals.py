"""Seals: the chain head (seq, hash) MACed with a key outside the database, kept in a file.

The file (``AUDIT_SEAL_PATH``, default ``instance/audit-seals.jsonl``) is append-only: one JSON
line per seal, written with O_APPEND under an exclusive lock and fsync'd. A seal lets ``verify``
detect what an in-database chain cannot: a rewritten chain or a cut-off tail.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import hmac
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from flask import Flask

from studio.audit import store
from studio.audit.chain import format_at
from studio.db import utcnow


@dataclass(frozen=True)
class Seal:
    """One line of the seal file."""

    seq: int
    hash: str
    at: str
    mac: str
    line: int = 0

    def message(self) -> bytes:
        return f"audit-seal|{self.seq}|{self.hash}|{self.at}".encode()


def path(app: Flask) -> Path:
    """Where this app keeps its seals."""
    configured = app.config.get("AUDIT_SEAL_PATH")
    return Path(configured) if configured else Path(app.instance_path) / "audit-seals.jsonl"


def mac(app: Flask, message: bytes) -> str:
    key = app.config["AUDIT_SEAL_KEY"]
    key_bytes = key.encode() if isinstance(key, str) else key
    return hmac.new(key_bytes, message, hashlib.sha256).hexdigest()


def verify_mac(app: Flask, message: bytes, given: str) -> bool:
    """True when ``given`` is the MAC of ``message`` under AUDIT_SEAL_KEY."""
    return hmac.compare_digest(given, mac(app, message))


def is_authentic(app: Flask, seal: Seal) -> bool:
    """True when the seal's MAC matches under AUDIT_SEAL_KEY."""
    return verify_mac(app, seal.message(), seal.mac)


def seal(app: Flask) -> Seal | None:
    """Seal the current head; None when the chain is empty or the last seal is already it."""
    engine = app.extensions["db"]["engine"]
    with engine.connect() as conn:
        seq, head_hash, _at = store.head(conn)
        conn.rollback()
    if seq == 0:
        return None
    last = last_seal(app)
    if last is not None and last.seq == seq and last.hash == head_hash:
        return None
    made = Seal(seq, head_hash, format_at(utcnow()), "")
    made = Seal(made.seq, made.hash, made.at, mac(app, made.message()))
    append_line(path(app), {"seq": made.seq, "hash": made.hash, "at": made.at, "mac": made.mac})
    return made


def append_line(file: Path, record: dict[str, object]) -> None:
    file.parent.mkdir(parents=True, exist_ok=True)
    created = not file.exists()
    fd = os.open(file, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.write(fd, (json.dumps(record, separators=(",", ":")) + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    if created:
        dir_fd = os.open(file.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def read(app: Flask) -> Iterator[Seal | str]:
    """Every seal in file order; a line that cannot be parsed yields a description instead."""
    file = path(app)
    if not file.exists():
        return
    with file.open("r", encoding="utf-8") as fh:
        for number, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            try:
                data = json.loads(raw)
                yield Seal(
                    int(data["seq"]), str(data["hash"]), str(data["at"]), str(data["mac"]), number
                )
            except (ValueError, KeyError, TypeError):
                yield f"seal file line {number} is unreadable"


def last_seal(app: Flask) -> Seal | None:
    """The most recent well-formed seal, or None (reads only the end of the file)."""
    file = path(app)
    if not file.exists():
        return None
    with file.open("rb") as fh:
        fh.seek(0, os.SEEK_END)
        fh.seek(max(0, fh.tell() - 4096))
        lines = fh.read().decode("utf-8", "replace").splitlines()
    for raw in reversed(lines):
        try:
            data = json.loads(raw)
            return Seal(int(data["seq"]), str(data["hash"]), str(data["at"]), str(data["mac"]))
        except (ValueError, KeyError, TypeError):
            continue
    return None


def sealed_at(seal: Seal) -> dt.datetime:
    """A seal's time as a datetime."""
    return dt.datetime.fromisoformat(seal.at)
