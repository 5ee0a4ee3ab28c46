"""Audit fixtures: entries appended through record(), and raw access for tampering."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy import text

from studio.audit import Action, Actor, record, scope
from studio.audit.verify import Report, verify


def append_entries(app: Flask, count: int, **fields: object) -> list[int]:
    """Append ``count`` staff-action entries with payloads; returns their seqs."""
    seqs = []
    with app.app_context():
        for n in range(count):
            seqs.append(
                record(
                    Action.USER_UPDATED,
                    actor=Actor.system("test"),
                    summary=f"entry {n}",
                    payload={"n": n, "note": f"payload {n}"},
                    **fields,
                )
            )
    return seqs


def execute(app: Flask, sql: str, **params: object) -> None:
    """Run raw SQL against the app's database and commit (the tamperer's tool)."""
    with app.extensions["db"]["engine"].begin() as conn:
        conn.execute(text(sql), params)


def check(app: Flask) -> Report:
    with app.app_context():
        return verify(app, batch=3)


@pytest.fixture
def broken_audit_table(app: Flask):
    """Make every audit write fail (the table is renamed away), then put it back."""

    def breaking() -> None:
        execute(app, "ALTER TABLE audit_entries RENAME TO audit_entries_away")

    yield breaking
    try:
        execute(app, "ALTER TABLE audit_entries_away RENAME TO audit_entries")
    except Exception:  # noqa: BLE001 - not broken by this test
        pass


@pytest.fixture
def entries(app: Flask) -> Callable[..., list[int]]:
    """Append entries to the test app's chain."""
    return lambda count=10, **fields: append_entries(app, count, **fields)


__all__ = ["append_entries", "check", "execute", "scope"]
