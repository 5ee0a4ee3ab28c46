"""The list, the dashboard counts, the draft window and the sweeper read bounded index ranges."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from studio import db
from studio.db import utcnow
from studio.platforms.models import Delivery, DeliveryStatus
from studio.platforms.tiktok import queries as tiktok_queries
from studio.posts import queries
from studio.posts.models import Post
from studio.posts.panels import _shown
from tests.conftest import PG_URL
from tests.helpers import query_plans

OLDER = re.compile(r'href="/posts/\?before=(\d+)">Older')
NEWER = re.compile(r'href="/posts/\?after=(\d+)">← Newer')
ROW = re.compile(r'<a href="/posts/(\d+)">#')


def add_posts(app: Flask, video: Any, account: Any, statuses: list[DeliveryStatus]) -> list[int]:
    """Finished posts straight into the table (no job runs); their ids, oldest first."""
    with app.app_context():
        posts = [
            Post(
                idempotency_key=secrets.token_hex(16),
                video_id=video.id,
                deliveries=[
                    Delivery(
                        account_id=account.id,
                        status=status,
                        sent_at=utcnow() - dt.timedelta(days=2),
                    )
                ],
            )
            for status in statuses
        ]
        db.session.add_all(posts)
        db.session.commit()
        return [p.id for p in posts]


def test_keyset_pages_walk_every_post_once(app, sandbox_client, account, video) -> None:
    ids = add_posts(app, video, account, [DeliveryStatus.IN_INBOX] * 120)
    seen: list[list[int]] = []
    url = "/posts/"
    while url:
        html = sandbox_client.get(url).get_data(as_text=True)
        seen.append([int(i) for i in ROW.findall(html)])
        older = OLDER.search(html)
        url = f"/posts/?before={older.group(1)}" if older else ""

    assert [len(page) for page in seen] == [50, 50, 20]
    assert [i for page in seen for i in page] == sorted(ids, reverse=True)
    last = sandbox_client.get(f"/posts/?before={seen[1][-1]}").get_data(as_text=True)
    newer = NEWER.search(last)
    assert newer and int(newer.group(1)) == seen[2][0]
    back = sandbox_client.get(f"/posts/?after={newer.group(1)}").get_data(as_text=True)
    assert [int(i) for i in ROW.findall(back)] == seen[1]
    first = sandbox_client.get("/posts/").get_data(as_text=True)
    assert NEWER.search(first) is None and "Page 1 of" not in first


def test_dashboard_counts_stop_at_the_cap(app, sandbox_client, account, video) -> None:
    add_posts(app, video, account, [DeliveryStatus.PUBLISHED] * 4 + [DeliveryStatus.FAILED] * 2)
    with app.app_context():
        assert queries.counts(db.session, cap=3) == {
            "in_flight": 0,
            "in_inbox": 0,
            "published": 3,
            "failed": 2,
        }
    assert (_shown(999), _shown(1000), _shown(25_000)) == ("999", "1,000+", "1,000+")
    page = sandbox_client.get("/dashboard/").get_data(as_text=True)
    assert "4 published" in page and "2 failed" in page


def _session_call(fn: Callable[..., object], *args: Any, **kwargs: Any) -> Callable[[], object]:
    return lambda: fn(db.session, *args, **kwargs)


@pytest.mark.parametrize(
    ("name", "call", "table", "sqlite", "postgres"),
    [
        ("first page", _session_call(queries.list_posts), "posts", r"SCAN posts", r"Backward"),
        (
            "older page",
            _session_call(queries.list_posts, before=1500),
            "posts",
            r"SEARCH posts USING INTEGER PRIMARY KEY \(rowid<\?\)",
            r"Index Cond: \(id < ",
        ),
        (
            "newer page",
            _session_call(queries.list_posts, after=300),
            "posts",
            r"SEARCH posts USING INTEGER PRIMARY KEY \(rowid>\?\)",
            r"Index Cond: \(id > ",
        ),
        (
            "dashboard counts",
            _session_call(queries.counts),
            "deliveries",
            r"SEARCH deliveries USING COVERING INDEX ix_deliveries_status_next_attempt_at "
            r"\(status=\?\)",
            r"ix_deliveries_status_next_attempt_at",
        ),
        (
            "draft window",
            _session_call(tiktok_queries.pending_drafts, 1),
            "deliveries",
            r"USING INDEX ix_deliveries_account_id_sent_at \(account_id=\? AND sent_at>\?\)",
            r"ix_deliveries_account_id_sent_at",
        ),
        (
            "sweeper",
            _session_call(queries.due_deliveries),
            "deliveries",
            r"USING INDEX ix_deliveries_status_next_attempt_at \(status=\?\)",
            r"ix_deliveries_status_next_attempt_at",
        ),
    ],
)
def test_queries_read_an_index_range(
    app, account, video, name, call, table, sqlite, postgres
) -> None:
    statuses = [DeliveryStatus.IN_INBOX, DeliveryStatus.PUBLISHED, DeliveryStatus.FAILED] * 600
    add_posts(app, video, account, [*statuses, DeliveryStatus.QUEUED])
    if PG_URL:  # as autovacuum would; the app never gathers statistics on SQLite
        with app.extensions["db"]["engine"].begin() as conn:
            conn.exec_driver_sql("ANALYZE posts")
            conn.exec_driver_sql("ANALYZE deliveries")
    plans = query_plans(app, call, table)
    assert plans, (name, "no query on", table)
    for plan in plans:
        if PG_URL:
            assert f"Seq Scan on {table}" not in plan, (name, plan)
            assert f"Sort Key: {table}.id" not in plan or name == "sweeper", (name, plan)
        else:
            assert f"SCAN {table} USING" not in plan, (name, plan)  # a whole-index walk
            assert "TEMP B-TREE FOR ORDER BY" not in plan or name == "sweeper", (name, plan)
    assert re.search(postgres if PG_URL else sqlite, plans[0]), (name, plans[0])
