"""The viewer's queries walk an index for every filter (keyset pages stay fast at scale)."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask

from studio import db
from studio.audit import services
from studio.audit.services import Filters, ViewerSnapshot
from tests.conftest import PG_URL
from tests.helpers import query_plans

ADMIN = ViewerSnapshot(1, True)
STAFF = ViewerSnapshot(2, False)
NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


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
    def listing() -> object:
        return services.list_entries(db.session, viewer, filters, before=1000)

    plans = query_plans(app, listing, "audit_entries")
    for plan in plans:
        assert "SCAN audit_entries" not in plan.replace("USING", "\0USING").split("\0")[0] or (
            "USING" in plan
        ), plan
        assert "TEMP B-TREE" not in plan, plan
