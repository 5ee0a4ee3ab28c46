"""The snapshot round against the sandbox: batching, lagging figures, quotas, scopes, erasure."""

from __future__ import annotations

import datetime as dt

import requests
from flask import Flask
from sqlalchemy import func, select

from studio import db
from studio.metrics import erasure
from studio.metrics.models import AccountSnapshot, MetricRound, MetricVideo, VideoSnapshot
from studio.metrics.snapshot import run_round
from studio.platforms.models import Delivery
from studio.sandbox.server import SandboxServer
from tests.metrics.conftest import control, counters

DAY1 = dt.date(2026, 12, 1)


def _round(app: Flask, day: dt.date = DAY1, **kwargs):
    with app.app_context():
        return run_round(db.session, day, **kwargs)


def _count(app: Flask, model) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def test_tiktok_reads_20_ids_a_call_after_the_newest_page(
    mapp, msbx: SandboxServer, http: requests.Session, tiktok_account: int, publish
) -> None:
    ids = control(http, msbx, "videos", {"creator": "acme", "count": 45, "age_days": 30})["ids"]
    publish(tiktok_account, ids)
    report = _round(mapp)
    # user/info, one video/list page (2 outside + 18 of ours), then ⌈27 / 20⌉ = 2 queries.
    seen = counters(http, msbx)
    assert (seen["video_list"], seen["video_query"]) == (1, 2)
    assert report.calls == 4 and report.read == 1 and report.videos == 47
    with mapp.app_context():
        videos = db.session.scalars(select(MetricVideo)).all()
        assert sum(v.outside for v in videos) == 2
        assert {v.remote_id for v in videos if not v.outside} == set(ids)
        snap = db.session.scalars(select(AccountSnapshot)).one()
        assert snap.day == DAY1 and snap.followers and snap.followers >= 1200
    assert _count(mapp, VideoSnapshot) == 47
    again = _round(mapp)  # read completely today (the day of the round's clock): not again
    assert again.read == 0 or again.calls <= 4


def test_youtube_reads_50_ids_a_unit(
    mapp, msbx: SandboxServer, http: requests.Session, youtube_account: int, publish
) -> None:
    ids = control(http, msbx, "youtube/videos", {"channel": "brand", "count": 120})["ids"]
    publish(youtube_account, ids)
    before = http.get(f"{msbx.url}/_sandbox/youtube/state", timeout=10).json()["quota"]
    report = _round(mapp)
    after = http.get(f"{msbx.url}/_sandbox/youtube/state", timeout=10).json()["quota"]
    # channels 1 + uploads page 1 (50 newest: all ours) + ⌈120 / 50⌉ = 3 videos.list: 5 units.
    assert after["units_used"] - before["units_used"] == 5 == report.calls
    assert _count(mapp, VideoSnapshot) == 120


def test_a_figure_not_given_yet_is_stored_as_unknown_never_0(
    mapp, msbx: SandboxServer, http: requests.Session, tiktok_account: int, publish
) -> None:
    [video_id] = control(http, msbx, "videos", {"creator": "acme", "count": 1})["ids"]
    publish(tiktok_account, [video_id])
    control(http, msbx, "metrics", {"figures": {f"video:{video_id}": {"views": None}}})
    _round(mapp)
    control(http, msbx, "metrics", {"figures": {f"video:{video_id}": {"views": 5000}}})
    _round(mapp, DAY1 + dt.timedelta(days=1))
    control(http, msbx, "metrics", {"figures": {f"video:{video_id}": {"views": None}}})
    _round(mapp, DAY1 + dt.timedelta(days=1), force=True)  # lagging again the same day
    with mapp.app_context():
        snaps = db.session.scalars(
            select(VideoSnapshot)
            .join(MetricVideo)
            .where(MetricVideo.remote_id == video_id)
            .order_by(VideoSnapshot.day)
        ).all()
        assert [s.views for s in snaps] == [None, 5000]  # a known figure is never unlearned


def test_youtube_quota_exhaustion_keeps_what_was_read_and_stops(
    mapp, msbx: SandboxServer, http: requests.Session, youtube_account: int, publish
) -> None:
    ids = control(http, msbx, "youtube/videos", {"channel": "brand", "count": 60})["ids"]
    publish(youtube_account, ids)
    used = http.get(f"{msbx.url}/_sandbox/youtube/state", timeout=10).json()["quota"]["units_used"]
    control(http, msbx, "youtube/config", {"quota_units_per_day": used + 3})
    _round(mapp)
    assert counters(http, msbx, "youtube/state")["quota_exceeded"] == 1
    with mapp.app_context():
        note = db.session.get(MetricRound, youtube_account).note
        assert "quota" in note
        assert db.session.scalars(select(AccountSnapshot)).one().followers is not None
    assert _count(mapp, VideoSnapshot) == 50  # the first batch was read before the quota ran out


def test_metrics_spend_only_their_share_of_the_youtube_quota(
    make_app, mapp, msbx: SandboxServer, http: requests.Session, youtube_account: int, publish
) -> None:
    ids = control(http, msbx, "youtube/videos", {"channel": "brand", "count": 120})["ids"]
    publish(youtube_account, ids)
    mapp.config["METRICS_YOUTUBE_UNITS"] = 3
    report = _round(mapp)
    assert report.calls == 3
    with mapp.app_context():
        assert (
            "share of the daily YouTube quota" in db.session.get(MetricRound, youtube_account).note
        )


def test_publishing_goes_first(
    mapp, msbx: SandboxServer, http: requests.Session, tiktok_account: int, publish
) -> None:
    lease = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=2)
    publish(tiktok_account, ["123"], lease_until=lease, lease_owner="worker-1")
    report = _round(mapp)
    assert "publishing goes first" in report.skipped[tiktok_account]
    assert counters(http, msbx).get("video_list", 0) == 0


def test_an_account_without_the_metrics_scopes_is_not_read(
    mapp, madmin, msbx: SandboxServer, http: requests.Session
) -> None:
    from tests.conftest import connect_tiktok

    granted = ["user.info.basic", "video.upload", "user.info.stats"]
    assert connect_tiktok(madmin, msbx, granted=granted).status_code == 302
    report = _round(mapp)
    [(account_id, why)] = report.skipped.items()
    assert "video.list" in why
    assert counters(http, msbx).get("video_list", 0) == 0
    page = madmin.get("/tiktok/").get_data(as_text=True)
    assert "Allow performance figures" in page and "video.list" in page
    shown = madmin.get("/metrics/").get_data(as_text=True)
    assert "has not allowed video.list" in shown


def test_a_scope_revoked_at_tiktok_stops_reading(
    mapp, msbx: SandboxServer, http: requests.Session, tiktok_account: int
) -> None:
    control(http, msbx, "deauthorize", {"open_id": "sbx-7f3a9c1e-0001-4d2b-9a51-acme00000001"})
    report = _round(mapp)
    assert tiktok_account in report.skipped and report.read == 0
    assert _count(mapp, AccountSnapshot) == 0


def test_snapshots_are_erased_with_the_account_and_after_retention(
    mapp, msbx: SandboxServer, http: requests.Session, tiktok_account: int, youtube_account: int,
    publish,
) -> None:  # fmt: skip
    [tiktok_video] = control(http, msbx, "videos", {"creator": "acme", "count": 1})["ids"]
    publish(tiktok_account, [tiktok_video])
    _round(mapp)
    with mapp.app_context():
        # YouTube's API data may be kept 30 days; TikTok's two years.
        removed = erasure.purge_expired(db.session, DAY1 + dt.timedelta(days=31))
        assert removed >= 3
        left = db.session.scalars(select(AccountSnapshot.account_id)).all()
        assert left == [tiktok_account]
        counts = erasure.erase_for_account(db.session, tiktok_account)
        db.session.commit()
        assert counts["metric_snapshots"] >= 2 and counts["metric_videos"] == 3
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(MetricVideo)
                .where(MetricVideo.account_id == tiktok_account)
            )
            == 0
        )
        assert db.session.get(MetricRound, tiktok_account) is None
        assert db.session.scalars(select(Delivery)).all()  # the posts room keeps its rows
