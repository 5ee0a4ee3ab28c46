"""verify: walk the chain in keyset batches (bounded memory) and check it against the seals.

Read-only by design: verifying never seals, so it can run against a copy or a replica and
its answer never changes the evidence it checks.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from studio.audit import anchors, chain, seals
from studio.audit.store import TABLE
from studio.db import make_engine

BATCH = 5000
PARALLEL_FROM = 200_000  # entries; below this one process is quicker than starting more
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
    first: int = 1  # entries before were dropped by retention (``dropped_on``)
    dropped_on: str | None = None
    broken_seq: int | None = None
    reason: str | None = None
    last_seal: seals.Seal | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return self.reason is None

    def message(self) -> str:
        if self.intact and self.dropped_on is not None:
            return (
                f"{self.entries} entries, intact: verified from #{self.first} (entries before "
                f"were dropped by retention on {self.dropped_on})"
            )
        if self.intact:
            return f"{self.entries} entries, intact"
        where = f"seq {self.broken_seq}" if self.broken_seq is not None else "the seal file"
        return f"chain broken at {where}: {self.reason}"

    def fail(self, seq: int | None, reason: str) -> Report:
        self.broken_seq, self.reason = seq, reason
        return self


def scan(app: Flask, batch: int = BATCH) -> Iterator[Any]:
    """Every entry row in seq order, fetched in keyset batches of ``batch`` rows."""
    return scan_range(app.extensions["db"]["engine"], 1, None, batch)


def scan_range(engine: Engine, first: int, last: int | None, batch: int) -> Iterator[Any]:
    """Rows with first <= seq (<= last), in seq order, in keyset batches."""
    after = first - 1
    with engine.connect() as conn:
        while True:
            query = select(*_COLUMNS).where(TABLE.c.seq > after)
            if last is not None:
                query = query.where(TABLE.c.seq <= last)
            rows = conn.execute(query.order_by(TABLE.c.seq).limit(batch)).all()
            if not rows:
                return
            yield from rows
            after = rows[-1][0]
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


@dataclass
class Stretch:
    """What walking one range of seqs found (the unit of parallel verification)."""

    first: int
    last: int
    problem: tuple[int, str] | None = None
    first_prev: str | None = None  # the prev_hash of the range's first row
    last_hash: str | None = None
    next_seq: int = 0
    erased: int = 0


def walk(
    rows: Iterable[Any], first: int, last: int, prev: str | None, sealed: dict[int, tuple[str, str]]
) -> Stretch:
    """Check rows first..last; ``prev`` None means "trust the first row's prev_hash" (the
    caller stitches ranges together by comparing it with the previous range's last hash)."""
    out = Stretch(first, last, next_seq=first)
    expected = first
    for row in rows:
        if out.first_prev is None:
            out.first_prev = row[_N + 3]
            prev = out.first_prev if prev is None else prev
        problem = check_row(row, expected, prev)
        seal = sealed.get(row[0])
        if problem is None and seal is not None and seal[0] != row[-1]:
            problem = (
                row[0],
                f"hash differs from the seal made at {seal[1]}: the chain was rewritten",
            )
        if problem:
            out.problem = problem
            return out
        if row[_N] is None:
            out.erased += 1
        prev, expected = row[-1], expected + 1
    out.last_hash, out.next_seq = prev, expected
    if expected <= last:
        out.problem = (expected, f"entry {expected} is missing (the chain continues later)")
    return out


def _walk_range(
    url: str, first: int, last: int, batch: int, sealed: dict[int, tuple[str, str]]
) -> Stretch:
    engine = make_engine(url)
    try:
        return walk(scan_range(engine, first, last, batch), first, last, None, sealed)
    finally:
        engine.dispose()


def verify(app: Flask, batch: int = BATCH, workers: int | None = None) -> Report:
    """Check every link, payload digest and seal; report the first break.

    Long chains are split into ranges walked by ``workers`` processes (default: one per CPU,
    at most 4, only past PARALLEL_FROM entries); each process streams its range.
    """
    report = Report()
    sealed = load_seals(app, report)
    if sealed is None:
        return report
    kept = anchors.anchor(app)
    if isinstance(kept, str):
        return report.fail(None, kept)
    prev = chain.GENESIS
    if kept is not None:
        report.first, report.dropped_on, prev = kept.seq + 1, kept.day, kept.hash
    hashes = {seq: (s.hash, s.at) for seq, s in sealed.items() if seq >= report.first}
    engine = app.extensions["db"]["engine"]
    with engine.connect() as conn:
        total = conn.execute(select(func.max(TABLE.c.seq))).scalar() or 0
    first = report.first
    stretches = _walk_all(app, (first, prev), total, batch, hashes, _workers(total, workers))
    for part in stretches:
        if part.problem and part.problem[0] == part.first:
            return report.fail(*part.problem)
        if part.first_prev is not None and part.first_prev != prev:
            return report.fail(part.first, "prev_hash does not match the previous entry's hash")
        if part.problem:
            return report.fail(*part.problem)
        report.erased += part.erased
        prev = part.last_hash or prev
    report.entries = max(0, total - first + 1)
    return check_tail(report, sealed)


def _workers(total: int, wanted: int | None) -> int:
    if wanted is not None:
        return max(1, wanted)
    if total < PARALLEL_FROM or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return max(1, min(4, os.cpu_count() or 1))


def _walk_all(
    app: Flask,
    start: tuple[int, str],
    total: int,
    batch: int,
    hashes: dict[int, tuple[str, str]],
    workers: int,
) -> list[Stretch]:
    """Walk ``start`` (first seq, the hash it follows) to ``total``, in ``workers`` ranges."""
    first, prev = start
    if total < first:
        return []
    if workers == 1:
        rows = scan_range(app.extensions["db"]["engine"], first, None, batch)
        return [walk(rows, first, total, prev, hashes)]
    size = -(-(total - first + 1) // workers)
    bounds = [(a, min(a + size - 1, total)) for a in range(first, total + 1, size)]
    app.extensions["db"]["engine"].dispose()  # no pooled connection may cross the fork
    url = app.config["DATABASE_URL"]
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=len(bounds), mp_context=context) as pool:
        futures = [
            pool.submit(
                _walk_range, url, a, b, batch, {k: v for k, v in hashes.items() if a <= k <= b}
            )
            for a, b in bounds
        ]
        return [f.result() for f in futures]


def check_row(row: Any, expected: int, prev: str | None) -> tuple[int, str] | None:
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
    end = report.first + report.entries - 1
    beyond = [s for s in sealed.values() if s.seq > end]
    if beyond:
        seal = max(beyond, key=lambda s: s.seq)
        return report.fail(
            end + 1,
            f"the chain ends at seq {end} but a seal made at {seal.at} covers "
            f"seq {seal.seq}: entries were cut off",
        )
    last = report.last_seal
    if report.entries and last is None:
        report.warnings.append("no seals yet: run `flask --app studio audit seal`")
    elif last is not None and last.seq < end:
        report.warnings.append(f"entries after seq {last.seq} are not sealed yet")
    return report
