"""The viewer's queries walk an index for every filter (keyset pages stay fast at scale)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event

from studio import db
from studio.audit import services
from studio.audit.services import Filters, ViewerSnapshot
from tests.conftest import PG_URL

ADMIN = ViewerSnapshot(1, True)
STAFF = ViewerSnapshot(2, False)
NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def _plans(app: Flask, viewer: ViewerSnapshot, filters: Filters) -> list[str]:
    seen: list[tuple[str, Any]] = []
    engine = app.extensions["db"]["engine"]

    def capture(_conn, _cursor, statement, parameters, _context, _many) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        with app.app_context():
            services.list_entries(db.session, viewer, filters, before=1000)
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    plans = []
    with engine.connect() as conn:
        for statement, parameters in seen:
            rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
            plans.append(" | ".join(str(r[-1]) for r in rows))
    return plans


@pytest.mark.skipif(PG_URL is not None, reason="SQLite's EXPLAIN QUERY PLAN")
@pytest.mark.parametrize(
    ("viewer", "filters"),
    [
        (ADMIN, Filters()),
        (ADMIN, Filters(account_id=3)),
        (ADMIN, Filters(kind="tiktok:request")),
        (ADMIN, Filters(actor="user:4")),
        (ADMIN, Filters(errors_only=True)),
        (ADMIN, Filters(post_id=9)),
        (ADMIN, Filters(since=NOW, until=NOW)),
        (STAFF, Filters()),
        (STAFF, Filters(errors_only=True)),
    ],
)
def test_every_filter_uses_an_index(app: Flask, viewer, filters) -> None:
    plans = _plans(app, viewer, filters)
    assert plans
    for plan in plans:
        assert "SCAN audit_entries" not in plan.replace("USING", "\0USING").split("\0")[0] or (
            "USING" in plan
        ), plan
        assert "TEMP B-TREE" not in plan, plan
