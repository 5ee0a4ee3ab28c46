"""The deletion ledger: erasures recorded outside the database, replayed after a restore.

A database backup still holds what was erased after it was taken (and destroyed data keys,
wrapped by VAULT_KEYS, come back with it). The ledger (``DELETION_LEDGER_PATH``, default
``instance/deletion-ledger.jsonl``) is an append-only file of internal ids only (never names,
e-mails or platform ids), one JSON line per erasure, written with O_APPEND and fsync'd before
the erasing transaction commits. ``flask privacy replay-deletions`` applies it to a restored
database; ``flask purge`` drops entries older than any backup (``BACKUP_RETENTION_DAYS``).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
from pathlib import Path

from flask import current_app

TOKENS = "tokens"  # an account's tokens and data key were destroyed (row kept)
ACCOUNT = "account"  # a platform account and everything sent to it was erased
STAFF = "staff"  # a staff account was erased
KINDS = (TOKENS, ACCOUNT, STAFF)


def path() -> Path:
    """Where the ledger lives: keep it off the database's backup and restore path."""
    configured = current_app.config.get("DELETION_LEDGER_PATH")
    return (
        Path(configured)
        if configured
        else Path(current_app.instance_path) / "deletion-ledger.jsonl"
    )


def append(kind: str, ident: int) -> None:
    """Record that the ``kind`` with internal id ``ident`` was erased (before it commits)."""
    if kind not in KINDS:
        raise ValueError(f"unknown ledger kind {kind!r}")
    ident = int(ident)
    at = stamp(dt.datetime.now(dt.UTC))
    line = json.dumps({"at": at, "kind": kind, "id": ident}, sort_keys=True) + "\n"
    fd = _locked(os.O_RDWR | os.O_APPEND)
    try:
        if kind != TOKENS and any(e["kind"] == kind and e["id"] == ident for e in entries()):
            return  # rows erased for good: once is enough (tokens can come back by reconnecting)
        os.write(fd, line.encode())
        os.fsync(fd)
    finally:
        os.close(fd)


def _locked(flags: int) -> int:
    """Open the ledger under an exclusive lock, reopening if a rewrite replaced the file."""
    target = path()
    target.parent.mkdir(parents=True, exist_ok=True)
    while True:
        fd = os.open(target, flags | os.O_CREAT, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX)
        if target.exists() and os.fstat(fd).st_ino == os.stat(target).st_ino:
            return fd
        os.close(fd)


def stamp(moment: dt.datetime) -> str:
    """The ledger's time format (UTC, microseconds), which sorts as text."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entries() -> list[dict[str, object]]:
    """Every entry, oldest first (an absent ledger is empty)."""
    target = path()
    if not target.exists():
        return []
    return [json.loads(line) for line in target.read_text().splitlines() if line.strip()]


def drop_before(cutoff: dt.datetime, dry_run: bool = False) -> int:
    """Remove entries older than ``cutoff`` (no backup is older); returns how many."""
    target = path()
    if not target.exists():
        return 0
    oldest = stamp(cutoff)
    lock = _locked(os.O_RDONLY)
    try:
        lines = [ln for ln in target.read_text().splitlines(keepends=True) if ln.strip()]
        kept = [ln for ln in lines if json.loads(ln)["at"] >= oldest]
        if len(kept) < len(lines) and not dry_run:
            fresh = target.with_suffix(".tmp")
            fd = os.open(fresh, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.writelines(kept)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(fresh, target)
    finally:
        os.close(lock)
    return len(lines) - len(kept)
