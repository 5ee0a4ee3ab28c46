"""Instagram and Facebook Page rounds against the Meta sandbox: figures, lag, allowance, erasure."""

from __future__ import annotations

import datetime as dt

import requests
from flask import Flask
from sqlalchemy import func, select

from studio import db
from studio.metrics.models import AccountSnapshot, MetricRound, MetricVideo, VideoSnapshot
from studio.metrics.snapshot import run_round
from studio.platforms.models import Account
from studio.sandbox.meta.people import ACME_IG, ACME_PAGE, SIDE_PAGE
from studio.sandbox.server import SandboxServer
from tests.metrics.conftest import control
from tests.platforms.meta.app_support import signed

DAY1 = dt.date(2026, 12, 1)


def _outside(msbx: SandboxServer, owner: str) -> list[str]:
    """The sandbox's videos of `owner` published outside the app, newest first."""
    state = msbx.meta.state
    with state.lock:
        found = sorted((m for m in state.outside if m.owner == owner), key=lambda m: -m.at)
    return [m.id for m in found]


def _videos(app: Flask, account_id: int) -> dict[str, tuple[MetricVideo, VideoSnapshot | None]]:
    with app.app_context():
        rows = db.session.scalars(
            select(MetricVideo).where(MetricVideo.account_id == account_id)
        ).all()
        out = {}
        for video in rows:
            query = select(VideoSnapshot).where(VideoSnapshot.video_id == video.id)
            snap = db.session.scalar(query)
            out[video.remote_id] = (video, snap)
        db.session.expunge_all()
        db.session.commit()
    return out


def _account_snapshot(app: Flask, account_id: int) -> AccountSnapshot | None:
    with app.app_context():
        snap = db.session.scalar(
            select(AccountSnapshot).where(AccountSnapshot.account_id == account_id)
        )
        db.session.expunge_all()
        db.session.commit()
    return snap


def test_instagram_and_facebook_rounds_store_account_and_video_snapshots(
    mapp, msbx: SandboxServer, meta_accounts: dict[str, int], publish
) -> None:
    ig, page = meta_accounts[ACME_IG.id], meta_accounts[ACME_PAGE.id]
    ours_ig, theirs_ig = _outside(msbx, ACME_IG.id)
    ours_page, theirs_page = _outside(msbx, ACME_PAGE.id)
    publish(ig, [ours_ig])
    publish(page, [ours_page])
    with mapp.app_context():
        report = run_round(db.session, DAY1)
    # Per account: its counts, its newest videos, one insights call per video (2 each).
    assert report.read == 3 and report.calls == 3 * 4 and not report.skipped
    figures = _account_snapshot(mapp, ig)
    assert figures is not None and figures.followers and figures.followers >= 1500
    assert figures.videos == 2
    page_figures = _account_snapshot(mapp, page)
    assert page_figures is not None and page_figures.followers >= 2400
    for account, ours, theirs in ((ig, ours_ig, theirs_ig), (page, ours_page, theirs_page)):
        videos = _videos(mapp, account)
        assert set(videos) == {ours, theirs}
        assert not videos[ours][0].outside and videos[theirs][0].outside
        assert videos[theirs][0].title and "posted in the" in videos[theirs][0].title
        for _video, snap in videos.values():
            assert snap is not None and snap.views and snap.views > 0
            assert snap.likes is not None and snap.comments is not None and snap.reach
    assert _videos(mapp, ig)[ours_ig][1].saves is not None  # Instagram gives saves
    assert _videos(mapp, page)[ours_page][1].saves is None  # a Page Reel does not


def test_lagging_insights_stay_not_available_yet(
    mapp, msbx: SandboxServer, http: requests.Session, meta_accounts: dict[str, int]
) -> None:
    ig = meta_accounts[ACME_IG.id]
    control(http, msbx, "meta/metrics", {"lag_seconds": 365 * 86_400})  # younger than the lag
    with mapp.app_context():
        run_round(db.session, DAY1)
    snaps = [snap for _video, snap in _videos(mapp, ig).values()]
    assert len(snaps) == 2
    for snap in snaps:
        assert snap is not None
        assert (snap.views, snap.likes, snap.reach, snap.saves) == (None, None, None, None)
    [newest, _older] = _outside(msbx, ACME_IG.id)
    pinned = {f"media:{newest}": {"views": 777, "likes": None}}
    control(http, msbx, "meta/metrics", {"lag_seconds": 0, "figures": pinned})
    with mapp.app_context():
        run_round(db.session, DAY1 + dt.timedelta(days=1))
        snap = db.session.scalar(
            select(VideoSnapshot)
            .join(MetricVideo)
            .where(MetricVideo.remote_id == newest, VideoSnapshot.day == DAY1 + dt.timedelta(1))
        )
        assert snap is not None and snap.views == 777 and snap.likes is None  # never a false 0


def test_allowance_exhaustion_keeps_what_was_read(
    mapp, msbx: SandboxServer, meta_accounts: dict[str, int]
) -> None:
    mapp.config["METRICS_META_CALLS"] = 3  # counts, newest videos, one video's insights
    with mapp.app_context():
        report = run_round(db.session, DAY1)
        ig = meta_accounts[ACME_IG.id]
        assert report.calls == 3 * 3 and "used up" in report.skipped[ig]
        last = db.session.get(MetricRound, ig)
        assert last is not None and last.calls == 3 and last.note and "Meta calls" in last.note
    assert _account_snapshot(mapp, ig) is not None
    snaps = [snap for _video, snap in _videos(mapp, ig).values() if snap is not None]
    assert len(snaps) == 1 and snaps[0].views is not None


def test_an_account_without_the_insights_permission_is_not_read(
    mapp, meta_accounts: dict[str, int]
) -> None:
    with mapp.app_context():
        account = db.session.get_one(Account, meta_accounts[SIDE_PAGE.id])
        account.scopes = ",".join(s for s in account.scope_list if s != "read_insights")
        db.session.commit()
        report = run_round(db.session, DAY1)
        assert "read_insights" in report.skipped[account.id]
        assert db.session.scalar(
            select(func.count()).select_from(AccountSnapshot).where(
                AccountSnapshot.account_id == account.id
            )
        ) == 0  # fmt: skip


def test_a_meta_deletion_request_erases_the_snapshots(
    mapp, madmin, msbx: SandboxServer, meta_accounts: dict[str, int]
) -> None:
    with mapp.app_context():
        run_round(db.session, DAY1)
        assert db.session.scalar(select(func.count()).select_from(VideoSnapshot)) == 6
    answer = madmin.post(
        "/webhooks/meta/data-deletion", data={"signed_request": signed(msbx, "dana")}
    )
    assert answer.status_code == 200, answer.get_data(as_text=True)
    with mapp.app_context():
        for model in (VideoSnapshot, AccountSnapshot, MetricVideo, MetricRound):
            assert db.session.scalar(select(func.count()).select_from(model)) == 0, model


def test_the_account_page_says_why_and_names_a_permission_not_allowed(
    mapp, madmin, meta_accounts: dict[str, int]
) -> None:
    page = madmin.get("/meta/").get_data(as_text=True)
    assert "Performance figures are switched on" in page and "not allowed" not in page
    with mapp.app_context():
        login = db.session.scalars(select(Account).where(Account.platform == "meta")).one()
        login.scopes = ",".join(s for s in login.scope_list if s != "read_insights")
        db.session.commit()
    page = madmin.get("/meta/").get_data(as_text=True)
    assert "has not allowed read_insights yet" in page


def test_a_video_deleted_at_meta_is_skipped_and_the_rest_read(
    mapp, msbx: SandboxServer, meta_accounts: dict[str, int], publish
) -> None:
    ig = meta_accounts[ACME_IG.id]
    publish(ig, ["18099999999999999"])  # deleted in the Instagram app since (100/33)
    with mapp.app_context():
        report = run_round(db.session, DAY1)
        assert ig not in report.skipped
    videos = _videos(mapp, ig)
    assert set(videos) == set(_outside(msbx, ACME_IG.id))
    assert all(snap is not None and snap.views for _video, snap in videos.values())


def test_a_reach_metric_meta_retired_leaves_reach_unknown_and_the_rest_read(
    mapp, msbx: SandboxServer, http: requests.Session, meta_accounts: dict[str, int]
) -> None:
    # Page Insights retired post_impressions_unique; the sandbox retires it on Reels too.
    control(http, msbx, "meta/config", {"retired_metrics": ["post_impressions_unique"]})
    with mapp.app_context():
        report = run_round(db.session, DAY1)
    page = meta_accounts[ACME_PAGE.id]
    assert page not in report.skipped
    with mapp.app_context():
        # counts, Reels, the first Reel refused then asked again without reach, the second
        assert db.session.get_one(MetricRound, page).calls == 5
    snaps = [snap for _video, snap in _videos(mapp, page).values()]
    assert len(snaps) == 2
    for snap in snaps:
        assert snap is not None and snap.reach is None  # not available, never a false 0
        assert snap.views and snap.likes is not None and snap.comments is not None
    assert all(s and s.reach for _v, s in _videos(mapp, meta_accounts[ACME_IG.id]).values())
