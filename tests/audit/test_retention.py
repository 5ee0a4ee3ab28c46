"""Audit log retention: only whole sealed segments past AUDIT_RETENTION_DAYS are dropped, and
the rest still verifies from the retention anchor (tampering included)."""

from __future__ import annotations

import datetime as dt
import json

from flask import Flask
from sqlalchemy import func, select

from studio.audit import retention, seals, store
from studio.audit.store import TABLE
from studio.audit.verify import verify
from studio.db import utcnow
from tests.audit.conftest import append_entries, check, execute

LATER = dt.timedelta(days=401)  # past the default 400 days


def _seal(app: Flask) -> seals.Seal:
    with app.app_context():
        made = seals.seal(app)
    assert made is not None
    return made


def _seqs(app: Flask) -> list[int]:
    with app.extensions["db"]["engine"].connect() as conn:
        return list(conn.execute(select(TABLE.c.seq).order_by(TABLE.c.seq)).scalars())


def _dropped_segment(app: Flask, entries) -> None:
    """Entries 1-5 sealed, 6-8 after; a drop 401 days later removes 1-5."""
    entries(5)
    _seal(app)
    entries(3)
    with app.app_context():
        assert retention.drop(app, now=utcnow() + LATER) == 5
    assert _seqs(app) == [6, 7, 8]


def test_chain_verifies_from_the_anchor_after_a_drop(app: Flask, entries) -> None:
    _dropped_segment(app, entries)
    report = check(app)
    assert report.intact and report.first == 6 and report.entries == 3
    today = utcnow().date().isoformat()
    assert report.message() == (
        f"3 entries, intact: verified from #6 (entries before were dropped by retention on {today})"
    )
    with app.app_context():  # split across processes, the walk starts at the anchor too
        parallel = verify(app, batch=2, workers=2)
    assert parallel.intact and parallel.first == 6 and parallel.entries == 3
    entries(2)  # the recorder's remembered head still holds: appending goes on
    store._HEADS.clear()  # and a process that never saw the head reads it from the database
    entries(1)
    assert _seqs(app) == [6, 7, 8, 9, 10, 11]
    _seal(app)
    assert check(app).intact and check(app).entries == 6


def test_tampering_after_a_drop_is_still_detected(app: Flask, entries) -> None:
    _dropped_segment(app, entries)
    execute(app, "UPDATE audit_entries SET summary = 'nothing happened' WHERE seq = 7")
    report = check(app)
    assert report.broken_seq == 7 and "field changed" in report.reason


def test_removing_the_first_kept_entry_is_detected(app: Flask, entries) -> None:
    _dropped_segment(app, entries)
    execute(app, "DELETE FROM audit_entries WHERE seq = 6")
    assert check(app).broken_seq == 6


def test_a_forged_or_missing_anchor_is_detected(app: Flask, entries) -> None:
    _dropped_segment(app, entries)
    file = retention.path(app)
    line = json.loads(file.read_text())
    file.write_text(json.dumps({**line, "seq": 6}) + "\n")  # "more was dropped"
    assert "bad MAC" in check(app).reason
    file.unlink()  # pretending nothing was dropped: the start of the chain is missing
    report = check(app)
    assert report.broken_seq == 1 and "missing" in report.reason


def test_nothing_is_dropped_unless_sealed_and_past_the_retention(app: Flask, entries) -> None:
    entries(5)
    with app.app_context():
        assert retention.drop(app, now=utcnow() + LATER) == 0  # no seal yet
        _seal(app)
        assert retention.drop(app, now=utcnow() + LATER) == 0  # the sealed head stays
        entries(2)
        assert retention.drop(app, now=utcnow() + dt.timedelta(days=399)) == 0  # too young
        assert retention.drop(app, dry_run=True, now=utcnow() + LATER) == 5
    assert _seqs(app) == [1, 2, 3, 4, 5, 6, 7]
    assert not retention.path(app).exists()


def test_a_tampered_segment_is_never_dropped(app: Flask, entries) -> None:
    entries(5)
    _seal(app)
    entries(2)
    execute(app, "UPDATE audit_entries SET summary = 'rewritten' WHERE seq = 3")
    with app.app_context():
        assert retention.drop(app, now=utcnow() + LATER) == 0
    assert _seqs(app)[:5] == [1, 2, 3, 4, 5]  # the evidence stays for verify to report


def test_flask_purge_drops_and_audit_verify_says_from_where(make_app) -> None:
    app = make_app(AUDIT_RETENTION_DAYS=0)
    append_entries(app, 4)
    _seal(app)
    append_entries(app, 2)
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["purge", "--dry-run"])
    assert "Would delete 4 audit log entries past its retention" in dry.output
    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    assert "Deleted 4 audit log entries past its retention" in result.output
    with app.extensions["db"]["engine"].connect() as conn:
        assert conn.execute(select(func.min(TABLE.c.seq))).scalar() == 5
    answer = runner.invoke(args=["audit", "verify"])
    assert answer.exit_code == 0, answer.output
    assert "verified from #5 (entries before were dropped by retention on" in answer.output
