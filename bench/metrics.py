"""One snapshot round for TikTok accounts (the sandbox has 5 creators) × M posts, and the
Performance page with a year of daily snapshots vs one week, at 1 × M and at 5 × M videos.

Prints: API calls made vs the minimum possible (TikTok: user/info + 1 video/list page +
⌈(M − 20) / 20⌉ video/query per account), the rounds' wall time, and the page's p50/p99: one
account's M videos with a week of history, then with a year (ratio; target ≤ 1.5×), then
every account's videos with a year.

    .venv/bin/python bench/metrics.py [--accounts 5] [--posts 1000] [--requests 100]
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import requests  # noqa: E402
from sqlalchemy import insert, select  # noqa: E402

from studio import create_app, db  # noqa: E402
from studio.auth.models import Role  # noqa: E402
from studio.cli import upgrade_database  # noqa: E402
from studio.metrics.models import MetricVideo, VideoSnapshot  # noqa: E402
from studio.metrics.snapshot import run_round  # noqa: E402
from studio.platforms.models import Account  # noqa: E402
from studio.sandbox.catalog import OUTSIDE_PER_CREATOR  # noqa: E402
from studio.sandbox.creators import CREATORS  # noqa: E402
from studio.sandbox.server import SandboxServer  # noqa: E402
from tests.conftest import (
    SANDBOX_REDIRECT_URIS,
    AuthActions,
    base_config,
    connect_tiktok,
    make_user,
)  # noqa: E402
from tests.helpers import ADMIN_PASSWORD  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=5)
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=100)
    args = parser.parse_args()
    sandbox = {"redirect_uris": list(SANDBOX_REDIRECT_URIS)}
    with tempfile.TemporaryDirectory() as tmp, SandboxServer(sandbox) as sbx:
        app = create_app({
            **base_config(Path(tmp)), "METRICS_ENABLED": True, "TIKTOK_API_BASE": sbx.url,
            "TIKTOK_AUTH_URL": sbx.url + "/v2/auth/authorize/", "METRICS_TIKTOK_CALLS": 10_000,
        })  # fmt: skip
        with app.app_context():
            upgrade_database(app)
            make_user(app, "admin@example.com", ADMIN_PASSWORD, Role.ADMIN)
        client = app.test_client()
        AuthActions(app, client).login()
        first = snapshot_round(app, sbx, client, CREATORS[:1], args.posts)
        add_history(app, first, days=7)
        week = page_times(client, args.requests)
        add_history(app, first, days=365, skip=7)
        year = page_times(client, args.requests)
        n = args.posts + OUTSIDE_PER_CREATOR
        for label, times in ((f"{n:,} videos, a week", week), (f"{n:,} videos, a year", year)):
            print(f"page, {label}: p50 {pct(times, 50):.1f} ms, p99 {pct(times, 99):.1f} ms")
        print(f"p99 year / week: {pct(year, 99) / pct(week, 99):.2f}× (target ≤ 1.5×)")
        if args.accounts > 1:
            rest = snapshot_round(app, sbx, client, CREATORS[1 : args.accounts], args.posts)
            add_history(app, rest, days=365)
            many = page_times(client, args.requests)
            total = len(first + rest) * n
            print(f"page, {total:,} videos, a year: p50 {pct(many, 50):.1f} ms, "
                  f"p99 {pct(many, 99):.1f} ms")  # fmt: skip


def snapshot_round(app, sbx: SandboxServer, client, creators, posts: int) -> list[int]:  # type: ignore[no-untyped-def]
    """Connect `creators`, give each `posts` videos, run one round; print what it cost."""
    before = sbx.state.summary()["counters"]
    accounts = seed_accounts(app, sbx, client, creators, posts)
    with app.app_context():
        started = time.perf_counter()
        report = run_round(db.session)
        wall = time.perf_counter() - started
    after = sbx.state.summary()["counters"]
    made = sum(after.get(k, 0) - before.get(k, 0) for k in ("video_query", "video_list"))
    made += len(accounts)  # user/info
    rest = max(posts + OUTSIDE_PER_CREATOR - 20, 0)  # each creator's own 2 too
    minimum = len(accounts) * (2 + math.ceil(rest / 20))
    print(f"round: {len(accounts)} TikTok accounts × {posts} posts: {made} calls "
          f"(minimum {minimum}), {report.videos} videos, wall {wall:.2f} s")  # fmt: skip
    return accounts


def seed_accounts(app, sbx: SandboxServer, client, creators, posts: int) -> list[int]:  # type: ignore[no-untyped-def]
    """Connect `creators` through the real flow; `posts` videos each (followed as known
    videos, as deliveries would make them). Returns the new accounts' ids."""
    with app.app_context():
        known = set(db.session.scalars(select(Account.id)))
    for creator in creators:
        assert connect_tiktok(client, sbx, creator.id).status_code == 302
        ids = sbx_post(sbx, "videos", {"creator": creator.id, "count": posts, "age_days": 30})
        with app.app_context():
            account = db.session.scalars(select(Account).order_by(Account.id.desc())).first()
            db.session.execute(
                insert(MetricVideo),
                [
                    {"account_id": account.id, "remote_id": i, "first_seen_at": db.utcnow()}
                    for i in ids["ids"]
                ],
            )
            db.session.commit()
    with app.app_context():
        return [i for i in db.session.scalars(select(Account.id)) if i not in known]


def sbx_post(sbx: SandboxServer, path: str, body: dict) -> dict:
    with requests.Session() as http:
        http.trust_env = False
        answer = http.post(f"{sbx.url}/_sandbox/{path}", json=body, timeout=30)
    answer.raise_for_status()
    return answer.json()


def add_history(app, accounts: list[int], days: int, skip: int = 1) -> None:  # type: ignore[no-untyped-def]
    """Copy the accounts' video snapshots of today back to days skip..days-1 before."""
    with app.app_context():
        today = db.utcnow().date()
        videos = select(MetricVideo.id).where(MetricVideo.account_id.in_(accounts))
        latest = db.session.scalars(
            select(VideoSnapshot).where(
                VideoSnapshot.day == today, VideoSnapshot.video_id.in_(videos)
            )
        ).all()
        rows = [
            {"video_id": s.video_id, "day": s.day - dt.timedelta(days=back), "views": s.views,
             "likes": s.likes, "comments": s.comments, "shares": s.shares}
            for back in range(skip, days) for s in latest
        ]  # fmt: skip
        for start in range(0, len(rows), 20_000):
            db.session.execute(insert(VideoSnapshot), rows[start : start + 20_000])
        db.session.commit()


def page_times(client, count: int) -> list[float]:  # type: ignore[no-untyped-def]
    """Milliseconds per GET of the Performance page (default range: the last 30 days), after
    one unmeasured GET (templates compiled, caches warm)."""
    assert client.get("/metrics/").status_code == 200
    times = []
    for _ in range(count):
        started = time.perf_counter()
        assert client.get("/metrics/").status_code == 200
        times.append((time.perf_counter() - started) * 1000)
    return times


def pct(values: list[float], p: int) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))]


if __name__ == "__main__":
    main()
