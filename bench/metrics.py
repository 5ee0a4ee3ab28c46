"""One snapshot round for 10 accounts × M posts on every platform against the sandboxes, then
the Performance page with a year of daily snapshots for M posts vs one week (same run).

Accounts: 5 TikTok creators, 2 YouTube channels, 2 Facebook Pages and 1 Instagram account
(connected through the real flows); each gets M videos in the sandbox (TikTok's, YouTube
Studio's, Meta's apps: the sandboxes' test controls), followed as known videos the way
deliveries make them. Per platform it prints the calls made (counted by the sandbox) beside the
fewest possible, for n videos of an account (its M plus those the sandbox seeded):

- TikTok: user/info + the first video/list page (20 newest, with their counts) +
  ⌈(n − 20) / 20⌉ video/query (20 ids a call).
- YouTube: channels.list + the first uploads playlistItems page + ⌈n / 50⌉ videos.list
  (50 ids a call; 1 unit each, so calls = units).
- Instagram and Facebook: the account's counts + its newest videos + n insights calls. Graph
  reads one media's insights per call; a batch request or `?ids=` counts each id against the
  Business Use Case limits, so n calls is the fewest.

Then the round's wall time, and the page's p50/p99 over R requests for one account's M videos
with a week of daily snapshots (the baseline) and with a year: ratio, target ≤ 1.5×.

    .venv/bin/python bench/metrics.py [--posts 1000] [--requests 100]
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import requests  # noqa: E402
from flask import Flask  # noqa: E402
from flask.testing import FlaskClient  # noqa: E402
from sqlalchemy import func, insert, select  # noqa: E402

from studio import create_app, db  # noqa: E402
from studio.auth.models import Role  # noqa: E402
from studio.cli import upgrade_database  # noqa: E402
from studio.metrics import erasure  # noqa: E402
from studio.metrics.models import MetricVideo, VideoSnapshot  # noqa: E402
from studio.metrics.snapshot import run_round  # noqa: E402
from studio.platforms.models import Account  # noqa: E402
from studio.sandbox.creators import CREATORS  # noqa: E402
from studio.sandbox.meta.people import ACME_IG, ACME_PAGE, SIDE_PAGE  # noqa: E402
from studio.sandbox.server import SandboxServer  # noqa: E402
from studio.sandbox.youtube.channels import by_key  # noqa: E402
from tests.conftest import (  # noqa: E402
    SANDBOX_REDIRECT_URIS,
    AuthActions,
    base_config,
    connect_tiktok,
    make_user,
)
from tests.helpers import ADMIN_PASSWORD  # noqa: E402
from tests.platforms.meta.app_support import APP_REDIRECT as META_REDIRECT  # noqa: E402
from tests.platforms.meta.app_support import connect_and_choose, meta_config  # noqa: E402
from tests.platforms.youtube.app_support import (  # noqa: E402
    APP_REDIRECT,
    connect_youtube,
    youtube_config,
)


def fewest(platform: str, n: int) -> int:
    """The fewest calls that read an account with n videos (module docstring)."""
    if platform == "tiktok":
        return 2 + math.ceil(max(n - 20, 0) / 20)
    if platform == "youtube":
        return 2 + math.ceil(n / 50)
    return 2 + n


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=100)
    args = parser.parse_args()
    tiktok = {"redirect_uris": list(SANDBOX_REDIRECT_URIS)}
    google = {"redirect_uris": [APP_REDIRECT]}
    meta = {"redirect_uris": [META_REDIRECT], "rate_limit_calls": 1_000_000}
    with (
        tempfile.TemporaryDirectory() as tmp,
        SandboxServer(tiktok, youtube=google, meta=meta) as sbx,
        requests.Session() as http,
    ):
        http.trust_env = False
        app = create_app({
            **base_config(Path(tmp)), "METRICS_ENABLED": True, "TIKTOK_API_BASE": sbx.url,
            "TIKTOK_AUTH_URL": sbx.url + "/v2/auth/authorize/", "METRICS_TIKTOK_CALLS": 10_000,
            "METRICS_META_CALLS": 10_000, **youtube_config(sbx), **meta_config(sbx),
        })  # fmt: skip
        with app.app_context():
            upgrade_database(app)
            make_user(app, "admin@example.com", ADMIN_PASSWORD, Role.ADMIN)
        client = app.test_client()
        AuthActions(app, client).login()
        first = seed(app, sbx, client, http, args.posts)
        snapshot_round(app, sbx)
        keep_only(app, first)
        add_history(app, first, days=7)
        week = page_times(client, args.requests)
        add_history(app, first, days=365, skip=7)
        year = page_times(client, args.requests)
        for label, times in (("a week (baseline)", week), ("a year", year)):
            print(f"page, {args.posts:,} posts of one account, {label}: "
                  f"p50 {pct(times, 50):.1f} ms, p99 {pct(times, 99):.1f} ms")  # fmt: skip
        print(f"p99 year / week: {pct(year, 99) / pct(week, 99):.2f}× (target ≤ 1.5×)")


def seed(app: Flask, sbx: SandboxServer, client: FlaskClient, http, posts: int) -> int:  # type: ignore[no-untyped-def]
    """Connect the 10 accounts, give each `posts` videos; the first TikTok account's id."""
    added: dict[tuple[str, str], list[str]] = {}
    for creator in CREATORS[:5]:
        assert connect_tiktok(client, sbx, creator.id).status_code == 302
        body = {"creator": creator.id, "count": posts, "age_days": 30}
        added["tiktok", creator.open_id] = control(http, sbx, "videos", body)
    for channel in ("brand", "second"):
        assert connect_youtube(client, http, channel).status_code in (302, 303)
        body = {"channel": channel, "count": posts, "age_days": 30}
        added["youtube", channel] = control(http, sbx, "youtube/videos", body)
    connect_and_choose(client, http)
    for platform, owner in (("facebook", ACME_PAGE.id), ("facebook", SIDE_PAGE.id)):
        added[platform, owner] = control(http, sbx, "meta/videos", {"owner": owner, "count": posts})
    added["instagram", ACME_IG.id] = control(
        http, sbx, "meta/videos", {"owner": ACME_IG.id, "count": posts}
    )
    with app.app_context():
        accounts = db.session.scalars(select(Account).where(Account.platform != "meta")).all()
        by_owner = {a.remote_id: a.id for a in accounts}
        rows = []
        for (platform, owner), ids in added.items():
            channel = by_key(owner) if platform == "youtube" else None
            remote = channel.channel_id if channel else owner
            account_id = by_owner[remote]
            rows += [{"account_id": account_id, "remote_id": i, "first_seen_at": db.utcnow()}
                     for i in ids]  # fmt: skip
        db.session.execute(insert(MetricVideo), rows)
        db.session.commit()
        return by_owner[CREATORS[0].open_id]


def snapshot_round(app: Flask, sbx: SandboxServer) -> None:
    """One round for every account; per platform: calls made vs the fewest, and wall time."""
    before = calls_by_platform(sbx)
    with app.app_context():
        started = time.perf_counter()
        report = run_round(db.session)
        wall = time.perf_counter() - started
        videos = dict(
            db.session.execute(
                select(MetricVideo.account_id, func.count()).group_by(MetricVideo.account_id)
            ).all()
        )
        platforms = dict(db.session.execute(select(Account.id, Account.platform)).all())
    after = calls_by_platform(sbx)
    least: Counter[str] = Counter()
    accounts: Counter[str] = Counter()
    for account_id, n in videos.items():
        platform = platforms[account_id]
        least[platform] += fewest(platform, n)
        accounts[platform] += 1
    for platform in ("tiktok", "youtube", "facebook", "instagram"):
        made = after[platform] - before[platform]
        print(f"round, {platform}: {accounts[platform]} accounts, {made} calls "
              f"(fewest {least[platform]})")  # fmt: skip
    print(f"round: {report.read} accounts read, {report.videos:,} videos, {report.calls} calls, "
          f"wall {wall:.2f} s, skipped {report.skipped or 'none'}")  # fmt: skip


def calls_by_platform(sbx: SandboxServer) -> Counter[str]:
    """The sandboxes' own counts of the calls a round makes."""
    tiktok = sbx.state.summary()["counters"]
    state = sbx.meta.state
    with state.lock:
        windows = {key: len(calls) for key, calls in state.windows.items()}
    return Counter({
        "tiktok": sum(tiktok.get(k, 0) for k in ("user_info", "video_list", "video_query")),
        "youtube": sbx.youtube.summary()["quota"]["units_used"],
        "facebook": sum(n for key, n in windows.items() if key.startswith("pages:")),
        "instagram": sum(n for key, n in windows.items() if key.startswith("instagram:")),
    })  # fmt: skip


def control(http: requests.Session, sbx: SandboxServer, path: str, body: dict) -> list[str]:
    """POST a sandbox test control; the ids it made."""
    answer = http.post(f"{sbx.url}/_sandbox/{path}", json=body, timeout=60)
    answer.raise_for_status()
    return list(answer.json()["ids"])


def keep_only(app: Flask, account_id: int) -> None:
    """Erase every other account's figures: the page then shows one account's M posts."""
    with app.app_context():
        for other in db.session.scalars(select(Account.id).where(Account.id != account_id)):
            erasure.erase_for_account(db.session, other)
        db.session.commit()


def add_history(app: Flask, account_id: int, days: int, skip: int = 1) -> None:
    """Copy the account's video snapshots of today back to days skip..days-1 before."""
    with app.app_context():
        today = db.utcnow().date()
        videos = select(MetricVideo.id).where(MetricVideo.account_id == account_id)
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


def page_times(client: FlaskClient, count: int) -> list[float]:
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
