"""Retention per platform policy: YouTube's 30 days without a refresh, the others' two years."""

from __future__ import annotations

import datetime as dt

import requests
from sqlalchemy import select, update

from studio import db
from studio.metrics import erasure
from studio.metrics.models import MetricVideo, VideoSnapshot
from studio.metrics.snapshot import run_round
from studio.sandbox.server import SandboxServer
from tests.metrics.conftest import control

DAY1 = dt.date(2026, 12, 1)


def test_youtube_videos_not_refreshed_within_30_days_are_deleted_with_their_titles(
    mapp, msbx: SandboxServer, http: requests.Session, tiktok_account: int, youtube_account: int,
    publish,
) -> None:  # fmt: skip
    publish(tiktok_account, control(http, msbx, "videos", {"creator": "acme", "count": 1})["ids"])
    ids = control(http, msbx, "youtube/videos", {"channel": "brand", "count": 3})["ids"]
    publish(youtube_account, ids)
    with mapp.app_context():
        run_round(db.session, DAY1)
        long_ago = dt.datetime.combine(DAY1 - dt.timedelta(days=40), dt.time(), tzinfo=dt.UTC)
        db.session.execute(update(MetricVideo).values(first_seen_at=long_ago))
        kept = db.session.scalars(select(MetricVideo).where(MetricVideo.remote_id == ids[0])).one()
        later = DAY1 + dt.timedelta(days=10)  # read again since: refreshed
        db.session.add(VideoSnapshot(video_id=kept.id, day=later, views=9))
        db.session.commit()
        erasure.purge_expired(db.session, DAY1 + dt.timedelta(days=31))
        left = db.session.execute(select(MetricVideo.account_id, MetricVideo.remote_id)).all()
        youtube = {remote for account, remote in left if account == youtube_account}
        assert youtube == {ids[0]}  # the two not refreshed are gone, titles and all
        assert sum(1 for account, _ in left if account == tiktok_account) == 3  # two years
        days = db.session.scalars(
            select(VideoSnapshot.day).join(MetricVideo).where(MetricVideo.remote_id == ids[0])
        ).all()
        assert days == [later]  # the snapshot of DAY1 is past YouTube's 30 days
