"""Per platform: videos published outside the app, rate limits and quotas, access revoked."""

from __future__ import annotations

import datetime as dt

import requests
from flask import Flask
from sqlalchemy import func, select

from studio import db
from studio.metrics.models import AccountSnapshot, MetricRound, MetricVideo, VideoSnapshot
from studio.metrics.snapshot import RoundReport, run_round
from studio.platforms.models import Account
from studio.sandbox.meta.people import ACME_IG, ACME_PAGE
from studio.sandbox.server import SandboxServer
from studio.sandbox.youtube import tokens as google_tokens
from tests.metrics.conftest import control

DAY1 = dt.date(2026, 12, 1)


def _round(app: Flask) -> RoundReport:
    with app.app_context():
        return run_round(db.session, DAY1)


def _note(app: Flask, account_id: int) -> str:
    with app.app_context():
        last = db.session.get(MetricRound, account_id)
        return (last.note if last else None) or ""


def _stored(app: Flask, model, account_id: int) -> int:
    with app.app_context():
        query = select(func.count()).select_from(model)
        if model is VideoSnapshot:
            query = query.join(MetricVideo).where(MetricVideo.account_id == account_id)
        else:
            query = query.where(model.account_id == account_id)
        return int(db.session.scalar(query) or 0)


def test_youtube_lists_the_channels_videos_published_outside_the_app(
    mapp, msbx: SandboxServer, http: requests.Session, youtube_account: int, publish
) -> None:
    ids = control(http, msbx, "youtube/videos", {"channel": "brand", "count": 3})["ids"]
    publish(youtube_account, ids[:1])  # the other two were uploaded in YouTube Studio
    _round(mapp)
    with mapp.app_context():
        videos = db.session.scalars(
            select(MetricVideo).where(MetricVideo.account_id == youtube_account)
        ).all()
        outside = {v.remote_id for v in videos if v.outside}
        assert set(ids[1:]) <= outside and ids[0] not in outside
        assert all(v.title for v in videos)  # the uploads playlist's titles
    assert _stored(mapp, VideoSnapshot, youtube_account) == len(videos)


def test_tiktok_rate_limit_keeps_what_was_read_and_says_so(
    mapp, msbx: SandboxServer, http: requests.Session, tiktok_account: int, publish
) -> None:
    ids = control(http, msbx, "videos", {"creator": "acme", "count": 45, "age_days": 30})["ids"]
    publish(tiktok_account, ids)
    control(http, msbx, "config", {"rate_limit_video_query": 1})  # then 429 rate_limit_exceeded
    report = _round(mapp)
    assert report.read == 1 and "rate limit" in _note(mapp, tiktok_account)
    # The newest page (20) and the first query (20) were stored; the rest waits.
    assert _stored(mapp, VideoSnapshot, tiktok_account) == 40
    assert _stored(mapp, AccountSnapshot, tiktok_account) == 1


def test_meta_limits_per_account_keep_what_was_read_and_the_apps_stops_the_rest(
    mapp, msbx: SandboxServer, meta_accounts: dict[str, int]
) -> None:
    ig, page = meta_accounts[ACME_IG.id], meta_accounts[ACME_PAGE.id]
    msbx.meta.fail_next(f"/meta/graph/v27.0/{_newest(msbx, ACME_IG.id)}/insights", "80002")
    report = _round(mapp)
    assert "rate limit" in _note(mapp, ig) and report.read == 3  # the Pages were read
    assert _stored(mapp, AccountSnapshot, ig) == 1
    assert _stored(mapp, VideoSnapshot, ig) == 0 and _stored(mapp, VideoSnapshot, page) == 2
    first, *others = sorted(meta_accounts.items(), key=lambda item: item[1])
    msbx.meta.fail_next(f"/meta/graph/v27.0/{first[0]}", "4")  # the app's own limit
    with mapp.app_context():
        again = run_round(db.session, DAY1 + dt.timedelta(days=1))
    assert again.read == 1 and "rate limit" in _note(mapp, first[1])
    for _remote, account_id in others:  # Facebook's and Instagram's: one app, one limit
        assert "rate limit" in again.skipped[account_id]
        with mapp.app_context():
            assert db.session.get_one(MetricRound, account_id).calls == 0


def test_youtube_access_revoked_at_google_stops_reading(
    mapp, msbx: SandboxServer, http: requests.Session, youtube_account: int
) -> None:
    state = msbx.youtube
    with state.lock:
        refresh = list(state.refresh)
    for token in refresh:  # the owner removed the app in their Google account
        google_tokens.revoke(state, token)
    control(http, msbx, "youtube/expire_tokens", {})
    report = _round(mapp)
    assert report.read == 0 and "reconnect" in report.skipped[youtube_account]
    assert _stored(mapp, AccountSnapshot, youtube_account) == 0


def test_youtube_readonly_not_granted_is_not_read(mapp, youtube_account: int) -> None:
    with mapp.app_context():
        account = db.session.get_one(Account, youtube_account)
        account.scopes = ",".join(s for s in account.scope_list if not s.endswith(".readonly"))
        db.session.commit()
    report = _round(mapp)
    assert "not allowed" in report.skipped[youtube_account]


def test_an_insights_permission_removed_at_meta_stops_reading_that_account(
    mapp, msbx: SandboxServer, meta_accounts: dict[str, int]
) -> None:
    state = msbx.meta.state
    with state.lock:  # Dana removes instagram_manage_insights in her Facebook settings
        for grant in state.grants.values():
            grant.scopes = [s for s in grant.scopes if s != "instagram_manage_insights"]
    report = _round(mapp)
    ig = meta_accounts[ACME_IG.id]
    assert "reconnect" in report.skipped[ig] and report.read == 2
    assert _stored(mapp, VideoSnapshot, ig) == 0


def _newest(msbx: SandboxServer, owner: str) -> str:
    state = msbx.meta.state
    with state.lock:
        return max((m for m in state.outside if m.owner == owner), key=lambda m: m.at).id
