"""The Performance table: sorted, cut and paged by the database, gains within the range."""

from __future__ import annotations

import datetime as dt

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import insert, select

from studio import db
from studio.metrics import queries
from studio.metrics.models import MetricVideo, VideoSnapshot
from studio.platforms.models import Delivery, Mode

END = dt.date(2026, 12, 1)
START = END - dt.timedelta(days=6)


def _videos(app: Flask, account_id: int, figures: dict[str, dict[dt.date, int | None]]) -> None:
    """One video per remote id, with `views` (and views // 10 likes) on the given days."""
    with app.app_context():
        for remote_id, days in figures.items():
            video = MetricVideo(account_id=account_id, remote_id=remote_id)
            db.session.add(video)
            db.session.flush()
            for day, views in days.items():
                likes = None if views is None else views // 10
                db.session.add(VideoSnapshot(video_id=video.id, day=day, views=views, likes=likes))
        db.session.commit()


def _table(app: Flask, **kwargs) -> list[queries.Row]:
    with app.app_context():
        rows = queries.table(db.session, START, END, **kwargs)
        for row in rows:  # loaded while the session is open
            _ = (row.video.remote_id, row.account.platform, row.delivery)
        return rows


def test_latest_figures_in_the_range_sorted_with_unknown_last(
    mapp: Flask, tiktok_account: int
) -> None:
    before, first, last, after = START - dt.timedelta(days=3), START, END, END + dt.timedelta(1)
    _videos(
        mapp,
        tiktok_account,
        {
            "grew": {before: 1, first: 100, END - dt.timedelta(days=2): 150, last: 400},
            "big": {first: 900, last: 900},
            "lagging": {first: None, last: None},
            "only-later": {after: 10_000},  # no figure in the range: not in the table
            "only-earlier": {before: 20_000},
            "one-day": {last: 50},
        },
    )
    rows = _table(mapp)
    assert [r.video.remote_id for r in rows] == ["big", "grew", "one-day", "lagging"]
    grew = rows[1]
    assert grew.day == last and grew.figures["views"] == 400 and grew.figures["likes"] == 40
    assert grew.gained["views"] == 300 and grew.gained["likes"] == 30  # from START, not before
    assert rows[2].gained["views"] == 0
    assert rows[3].figures["views"] is None and rows[3].gained["views"] is None  # never a 0
    assert rows[0].origin == "published outside the app"
    with mapp.app_context():
        assert queries.gains(db.session, START, END)["views"] == 300
        assert queries.week_headlines(db.session, END)["views"] == 300


def test_pages_are_cut_by_the_database_in_a_stable_order(
    mapp: Flask, tiktok_account: int, madmin: FlaskClient
) -> None:
    # 205 videos, several with the same figure: the id breaks ties, so pages never overlap.
    _videos(mapp, tiktok_account, {f"v{i:03}": {END: i // 3} for i in range(205)})
    everything = [r.video.id for r in _table(mapp, limit=1000)]
    pages = [[r.video.id for r in _table(mapp, limit=100, offset=o)] for o in (0, 100, 200)]
    assert [len(p) for p in pages] == [100, 100, 5]
    assert pages[0] + pages[1] + pages[2] == everything
    views = [r.figures["views"] for r in _table(mapp, limit=1000)]
    assert views == sorted(views, reverse=True)

    query = f"start={START}&end={END}&sort=views"
    first = madmin.get(f"/metrics/?{query}").get_data(as_text=True)
    assert "Videos 1–100" in first and "Next 100" in first and "Previous 100" not in first
    third = madmin.get(f"/metrics/?{query}&page=3").get_data(as_text=True)
    assert "Videos 201–205" in third and "Previous 100" in third and "Next 100" not in third
    assert madmin.get(f"/metrics/?{query}&page=0").status_code == 400
    assert madmin.get(f"/metrics/?{query}&page=x").status_code == 400


def test_sorted_by_publication_newest_first(mapp: Flask, tiktok_account: int) -> None:
    _videos(mapp, tiktok_account, {"old": {END: 5}, "new": {END: 1}, "unknown": {END: 9}})
    with mapp.app_context():
        for remote_id, days in (("old", 30), ("new", 1)):
            video = db.session.scalars(
                select(MetricVideo).where(MetricVideo.remote_id == remote_id)
            ).one()
            video.published_at = dt.datetime(2026, 12, 1, tzinfo=dt.UTC) - dt.timedelta(days=days)
        db.session.commit()
    assert [r.video.remote_id for r in _table(mapp, sort="published")] == [
        "new",
        "old",
        "unknown",
    ]


def test_a_draft_is_described_by_its_platform(mapp: Flask, tiktok_account: int, publish) -> None:
    [post_id] = publish(tiktok_account, ["7001"], mode=Mode.DRAFT)
    with mapp.app_context():
        delivery = db.session.scalars(select(Delivery).where(Delivery.post_id == post_id)).one()
        video = MetricVideo(account_id=tiktok_account, remote_id="7001", delivery_id=delivery.id)
        db.session.add(video)
        db.session.flush()
        db.session.execute(insert(VideoSnapshot), [{"video_id": video.id, "day": END, "views": 3}])
        db.session.commit()
    [row] = _table(mapp)
    assert row.delivery is not None and row.delivery.post_id == post_id
    assert row.origin == "posted from the TikTok app (sent as a draft)"
