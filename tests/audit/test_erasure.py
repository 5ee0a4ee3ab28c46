"""The audit room's erasure: an account's or a subject's entry contents go, nobody else's."""

from __future__ import annotations

import datetime as dt

from flask import Flask
from sqlalchemy import select

from studio import db
from studio.audit import Action, Actor, erasure, record
from studio.audit.models import AuditEntry
from tests.audit.conftest import append_entries, check

OPEN_ID = "sbx-open-id-erasure-0001"


def _payloads(app: Flask) -> dict[int, str | None]:
    with app.app_context():
        rows = db.session.execute(select(AuditEntry.seq, AuditEntry.payload)).all()
        return {seq: payload for seq, payload in rows}


def test_erase_for_account_erases_that_accounts_payloads_only(app: Flask) -> None:
    mine = append_entries(app, 3, account_id=7)
    theirs = append_entries(app, 2, account_id=8)
    with app.app_context():
        assert erasure.erase_for_account(db.session, 7) == 3
        db.session.commit()
        assert erasure.erase_for_account(db.session, 7) == 0  # again: nothing left
    payloads = _payloads(app)
    assert all(payloads[seq] is None for seq in mine)
    assert all(payloads[seq] for seq in theirs)
    assert check(app).intact


def test_erase_for_subject_erases_entries_naming_the_identifier_only(app: Flask) -> None:
    with app.app_context():
        named = record(
            Action.ACCESS_REVOKED,
            actor=Actor.public(),
            summary="sign-in",
            payload={"open_id": OPEN_ID},
        )
        other = record(
            Action.ACCESS_REVOKED,
            actor=Actor.public(),
            summary="sign-in",
            payload={"open_id": "sbx-open-id-someone-else"},
        )
        assert erasure.erase_for_subject(db.session, [OPEN_ID]) == 1
        db.session.commit()
        assert erasure.erase_for_subject(db.session, [OPEN_ID]) == 0
    payloads = _payloads(app)
    assert payloads[named] is None and payloads[other]
    assert check(app).intact


def test_erase_unconnected_takes_old_public_entries_without_an_account(app: Flask) -> None:
    with app.app_context():
        public = record(Action.ACCESS_REVOKED, actor=Actor.public(), summary="x", payload={"a": 1})
        tied = record(
            Action.ACCESS_REVOKED, actor=Actor.public(), summary="x", payload={"a": 2}, account_id=3
        )
        staff = record(Action.USER_UPDATED, actor=Actor.system("t"), summary="x", payload={"a": 3})
        later = db.utcnow() + dt.timedelta(seconds=5)
        assert erasure.erase_unconnected(db.session, later, dry_run=True) == 1
        assert _payloads(app)[public]  # a dry run only counts
        assert erasure.erase_unconnected(db.session, later) == 1
        assert erasure.erase_unconnected(db.session, db.utcnow() - dt.timedelta(days=1)) == 0
    payloads = _payloads(app)
    assert payloads[public] is None and payloads[tied] and payloads[staff]
