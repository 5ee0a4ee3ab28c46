"""Verification split across processes finds the same first break as one process."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask

from studio.audit import seals
from studio.audit.verify import verify
from tests.audit.conftest import append_entries, execute

# 21 entries in 3 workers: ranges 1-7, 8-14, 15-21, so several cases sit on a boundary.
TAMPERING: dict[str, tuple[Callable[[Flask], None], int]] = {
    "field at a range start": (
        lambda app: execute(app, "UPDATE audit_entries SET summary = 'x' WHERE seq = 8"),
        8,
    ),
    "payload at a range end": (
        lambda app: execute(app, "UPDATE audit_entries SET payload = '{}' WHERE seq = 14"),
        14,
    ),
    "deleted range start": (
        lambda app: execute(app, "DELETE FROM audit_entries WHERE seq = 15"),
        15,
    ),
    "deleted range end": (
        lambda app: execute(app, "DELETE FROM audit_entries WHERE seq = 7"),
        7,
    ),
    "reordered across a boundary": (
        lambda app: [
            execute(app, "UPDATE audit_entries SET seq = -1 WHERE seq = 7"),
            execute(app, "UPDATE audit_entries SET seq = 7 WHERE seq = 8"),
            execute(app, "UPDATE audit_entries SET seq = 8 WHERE seq = -1"),
        ],
        7,
    ),
    "cut tail": (lambda app: execute(app, "DELETE FROM audit_entries WHERE seq > 18"), 19),
}


@pytest.mark.parametrize("case", sorted(TAMPERING))
def test_parallel_finds_the_same_break(app: Flask, case: str) -> None:
    append_entries(app, 21)
    with app.app_context():
        seals.seal(app)
    tamper, seq = TAMPERING[case]
    tamper(app)
    with app.app_context():
        one = verify(app, batch=4, workers=1)
        three = verify(app, batch=4, workers=3)
    assert one.broken_seq == three.broken_seq == seq, (one.message(), three.message())


def test_parallel_intact_counts_and_erasures(app: Flask) -> None:
    append_entries(app, 10, account_id=1)
    append_entries(app, 11)
    with app.app_context():
        from studio import db
        from studio.audit.services import erase_payloads

        erase_payloads(db.session, 1)
        db.session.commit()
        seals.seal(app)
        report = verify(app, batch=4, workers=3)
    assert report.intact and report.entries == 21 and report.erased == 10


def test_parallel_catches_a_consistent_rewrite_by_its_seal(app: Flask) -> None:
    from tests.audit.test_chain import _rewrite_from

    append_entries(app, 21)
    with app.app_context():
        seals.seal(app)
    _rewrite_from(app, 2)
    with app.app_context():
        report = verify(app, batch=4, workers=3)
    assert report.broken_seq == 21 and "rewritten" in report.reason
