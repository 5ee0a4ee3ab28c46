"""verify: walk the chain in keyset batches (bounded memory) and check it against the seals.

Read-only by design: verifying never seals, so it can run against a copy or a replica and
its answer never changes the evidence it checks.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from flask import Flask
from sqlalchemy import select

from studio.audit import chain, seals
from studio.audit.store import TABLE

BATCH = 5000
_COLUMNS = [TABLE.c[name] for name in chain.FIELDS] + [
    TABLE.c.payload,
    TABLE.c.salt,
    TABLE.c.payload_digest,
    TABLE.c.prev_hash,
    TABLE.c.hash,
]
_N = len(chain.FIELDS)


@dataclass
class Report:
    """What verify found: the entry count, or the first broken seq and why."""

    entries: int = 0
    erased: int = 0
    broken_seq: int | None = None
    reason: str | None = None
    last_seal: seals.Seal | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return self.reason is None

    def message(self) -> str:
        if self.intact:
            return f"{self.entries} entries, intact"
        where = f"seq {self.broken_seq}" if self.broken_seq is not None else "the seal file"
        return f"chain broken at {where}: {self.reason}"

    def fail(self, seq: int | None, reason: str) -> Report:
        self.broken_seq, self.reason = seq, reason
        return self


def scan(app: Flask, batch: int = BATCH) -> Iterator[Any]:
    """Every entry row in seq order, fetched in keyset batches of ``batch`` rows."""
    engine = app.extensions["db"]["engine"]
    last = 0
    with engine.connect() as conn:
        while True:
            query = select(*_COLUMNS).where(TABLE.c.seq > last).order_by(TABLE.c.seq)
            rows = conn.execute(query.limit(batch)).all()
            if not rows:
                return
            yield from rows
            last = rows[-1][0]
            del rows


def load_seals(app: Flask, report: Report) -> dict[int, seals.Seal] | None:
    """Authentic seals by seq; None (and the report failed) if any seal is forged or unreadable."""
    found: dict[int, seals.Seal] = {}
    for item in seals.read(app):
        if isinstance(item, str):
            report.fail(None, item)
            return None
        if not seals.is_authentic(app, item):
            report.fail(
                item.seq, f"seal on line {item.line} has a bad MAC (forged, or the key changed)"
            )
            return None
        found[item.seq] = item
        report.last_seal = item
    return found


def verify(app: Flask, batch: int = BATCH) -> Report:
    """Check every link, payload digest and seal; stop at the first break."""
    report = Report()
    sealed = load_seals(app, report)
    if sealed is None:
        return report
    expected, prev = 1, chain.GENESIS
    for row in scan(app, batch):
        problem = check_row(row, expected, prev)
        if problem:
            return report.fail(*problem)
        seal = sealed.get(row[0])
        if seal is not None and seal.hash != row[-1]:
            return report.fail(
                row[0], f"hash differs from the seal made at {seal.at}: the chain was rewritten"
            )
        if row[_N] is None:
            report.erased += 1
        prev, expected = row[-1], expected + 1
    report.entries = expected - 1
    return check_tail(report, sealed)


def check_row(row: Any, expected: int, prev: str) -> tuple[int, str] | None:
    """The (seq, reason) of the first thing wrong with one row, or None."""
    seq = row[0]
    if seq != expected:
        return expected, f"entry {expected} is missing (the next entry is {seq})"
    payload, salt, digest, prev_hash, stored = row[_N:]
    if prev_hash != prev:
        return seq, "prev_hash does not match the previous entry's hash (removed or reordered)"
    if payload is not None and salt is not None:
        if chain.payload_digest(salt, payload) != digest:
            return seq, "payload does not match its digest (payload changed)"
    elif payload is not None or salt is not None:
        return seq, "payload and salt must be erased together"
    if chain.entry_hash(prev_hash, row[:_N], digest) != stored:
        return seq, "entry does not match its hash (a field changed)"
    return None


def check_tail(report: Report, sealed: dict[int, seals.Seal]) -> Report:
    """Fail when a seal covers entries that are no longer there; warn about unsealed ones."""
    beyond = [s for s in sealed.values() if s.seq > report.entries]
    if beyond:
        seal = max(beyond, key=lambda s: s.seq)
        return report.fail(
            report.entries + 1,
            f"the chain ends at seq {report.entries} but a seal made at {seal.at} covers "
            f"seq {seal.seq}: entries were cut off",
        )
    last = report.last_seal
    if report.entries and last is None:
        report.warnings.append("no seals yet: run `flask --app studio audit seal`")
    elif last is not None and last.seq < report.entries:
        report.warnings.append(f"entries after seq {last.seq} are not sealed yet")
    return report
