"""DEMO DATA: in demo mode an account read for the first time gets weeks of past figures."""

from __future__ import annotations

import datetime as dt

import requests
from flask import Flask
from sqlalchemy import select

from studio import db
from studio.metrics.models import AccountSnapshot, MetricVideo, VideoSnapshot
from studio.metrics.snapshot import run_round
from studio.sandbox.server import SandboxServer
from tests.metrics.conftest import control

DAY = dt.datetime.now(dt.UTC).date()


def test_a_first_read_in_demo_mode_brings_weeks_of_growing_history(
    mapp: Flask, msbx: SandboxServer, http: requests.Session, tiktok_account: int, publish
) -> None:
    ids = control(http, msbx, "videos", {"creator": "acme", "count": 2, "age_days": 5})["ids"]
    publish(tiktok_account, ids)
    control(http, msbx, "metrics", {"figures": {f"video:{ids[0]}": {"shares": None}}})
    mapp.config["METRICS_DEMO_DAYS"] = 21
    with mapp.app_context():
        run_round(db.session, DAY)
        followers = db.session.execute(
            select(AccountSnapshot.day, AccountSnapshot.followers).order_by(AccountSnapshot.day)
        ).all()
        assert [d for d, _f in followers] == [DAY - dt.timedelta(days=n) for n in range(21, -1, -1)]
        counts = [f for _d, f in followers]
        assert counts == sorted(counts) and counts[0] < counts[-1]  # lifetime totals grow
        young = db.session.scalars(
            select(VideoSnapshot)
            .join(MetricVideo)
            .where(MetricVideo.remote_id == ids[0])
            .order_by(VideoSnapshot.day)
        ).all()
        # published 5 days before: no figures before that day, and unknown stays unknown
        assert [s.day for s in young] == [DAY - dt.timedelta(days=n) for n in range(5, -1, -1)]
        assert all(s.shares is None for s in young)
        views = [s.views for s in young]
        assert views == sorted(views)
        before = db.session.query(AccountSnapshot).count()
        run_round(db.session, DAY + dt.timedelta(days=1), force=True)
        assert db.session.query(AccountSnapshot).count() == before + 1  # only once


def test_no_made_up_figures_outside_demo_mode(mapp: Flask, make_app, tiktok_account: int) -> None:
    assert mapp.config["METRICS_DEMO_DAYS"] == 0  # the tests' default
    with mapp.app_context():
        run_round(db.session, DAY)
        assert db.session.scalars(select(AccountSnapshot.day)).all() == [DAY]
    assert make_app(ENV="development", METRICS_DEMO_DAYS=21).config["METRICS_DEMO_DAYS"] == 0
