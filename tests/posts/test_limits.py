"""YouTube's, Instagram's and Facebook's publishing limits refused when a delivery is planned
(scheduled or sent now): counted across what is already sent or planned, with the reason and
the time room frees up; room again once the window has passed."""

from __future__ import annotations

import datetime as dt
import secrets

import pytest
from sqlalchemy import select

from studio import db
from studio.auth.models import User
from studio.db import utcnow
from studio.platforms import quota as counters
from studio.platforms.models import Account, AccountStatus, Delivery, DeliveryStatus, Mode
from studio.platforms.youtube import quota
from studio.platforms.youtube.errors import PACIFIC
from studio.posts import planning
from studio.posts.models import Post
from studio.posts.planning import Plan
from studio.posts.services import Draft, PostError, create_post

H = dt.timedelta(hours=1)


def _account(platform: str, remote_id: str) -> int:
    account = Account(
        platform=platform,
        remote_id=remote_id,
        display_name=remote_id,
        status=AccountStatus.CONNECTED,
        data_key="not-a-real-key",  # enough for "usable"; nothing is sent in these tests
    )
    db.session.add(account)
    db.session.commit()
    return account.id


def _delivery(video, account_id: int, platform: str, *, at=None, sent=None, status=None) -> int:
    """A post with one delivery planned for ``at`` or sent at ``sent``."""
    post = Post(idempotency_key=secrets.token_urlsafe(8), video_id=video.id, caption="x")
    delivery = Delivery(
        account_id=account_id,
        platform=platform,
        mode=Mode.SHORT if platform == "youtube" else Mode.DIRECT,
        scheduled_at=at,
        sent_at=sent,
        status=status or (DeliveryStatus.PUBLISHED if sent else DeliveryStatus.QUEUED),
    )
    post.deliveries = [delivery]
    db.session.add(post)
    db.session.commit()
    return delivery.id


def _refusal(account_id: int, mode: Mode, at: dt.datetime | None) -> str:
    with pytest.raises(planning.PlanError) as refused:
        planning.check_limits(db.session, None, account_id, mode, at, None)
    return refused.value.message


def _allowed(account_id: int, mode: Mode, at: dt.datetime | None) -> None:
    planning.check_limits(db.session, None, account_id, mode, at, None)


def _tomorrow_noon() -> dt.datetime:
    return (utcnow() + dt.timedelta(days=1)).replace(hour=12, minute=0, second=0, microsecond=0)


def _local(moment: dt.datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC (UTC+0)"


def test_instagram_counts_sent_and_planned_per_account_over_any_24_hours(app, video):
    app.config["META_INSTAGRAM_POSTS_PER_DAY"] = 3
    base = _tomorrow_noon()
    with app.app_context():
        ig = _account("instagram", "ig-1")
        other = _account("instagram", "ig-2")
        for n in range(3):
            _delivery(video, ig, "instagram", at=base + n * H)
        _delivery(video, ig, "instagram", at=base + 3 * H, status=DeliveryStatus.CANCELLED)
        message = _refusal(ig, Mode.DIRECT, base + 20 * H)
        assert "Instagram lets one account publish 3 posts through apps in any 24 h" in message
        assert "3 are already sent or planned" in message
        assert f"between {_local(base)}" in message and f"and {_local(base + 2 * H)}" in message
        assert f"There is room again from {_local(base + 24 * H)}." in message
        # Earlier than the planned ones: the window then holds them too.
        assert "3 are already" in _refusal(ig, Mode.DIRECT, base - 5 * H)
        _allowed(ig, Mode.DIRECT, base + 24 * H)  # the first one left the window
        _allowed(ig, Mode.DIRECT, base - 24 * H - 1 * H)  # a whole day before them
        _allowed(other, Mode.DIRECT, base + H)  # another account counts its own
        # A failed one does not count.
        db.session.get(
            Delivery, _delivery(video, other, "instagram", sent=base)
        ).status = DeliveryStatus.FAILED
        db.session.commit()
        for n in range(2):
            _delivery(video, other, "instagram", at=base + n * H)
        _allowed(other, Mode.DIRECT, base + 5 * H)


def test_facebook_page_reels_refuse_a_send_now_until_the_oldest_leaves_the_window(app, video):
    app.config["META_PAGE_REELS_PER_DAY"] = 2
    now = utcnow()
    with app.app_context():
        page = _account("facebook", "page-1")
        oldest = _delivery(video, page, "facebook", sent=now - 23 * H)
        _delivery(video, page, "facebook", sent=now - 2 * H)
        message = _refusal(page, Mode.DIRECT, None)  # sent now
        assert "Facebook lets one Page publish 2 Reels through apps in any 24 h" in message
        assert "2 are already sent or planned" in message
        assert f"There is room again from {_local(now + H)}" in message
        # An hour later the oldest is more than 24 h old: room again.
        db.session.get(Delivery, oldest).sent_at = now - 24 * H - dt.timedelta(minutes=1)
        db.session.commit()
        _allowed(page, Mode.DIRECT, None)


def test_youtube_quota_is_the_projects_pacific_day_across_channels(app, video):
    app.config["YOUTUBE_QUOTA_UPLOADS_PER_DAY"] = 2
    day = (utcnow().astimezone(PACIFIC) + dt.timedelta(days=2)).date()
    morning = dt.datetime.combine(day, dt.time(9), tzinfo=PACIFIC).astimezone(dt.UTC)
    midnight = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=PACIFIC)
    with app.app_context():
        one = _account("youtube", "UC-one")
        two = _account("youtube", "UC-two")
        _delivery(video, one, "youtube", at=morning)
        _delivery(video, two, "youtube", at=morning + 2 * H)
        message = _refusal(one, Mode.SHORT, morning + 10 * H)  # the same Pacific day
        assert "YouTube's daily quota lets this app's Google project upload 2 videos" in message
        assert "resets at midnight Pacific time" in message
        assert "2 are already sent or planned" in message
        assert f"There is room again from {_local(midnight.astimezone(dt.UTC))}." in message
        assert "2 are already" in _refusal(two, Mode.VIDEO, morning - 8 * H)  # still that day
        _allowed(one, Mode.SHORT, midnight.astimezone(dt.UTC))  # a new Pacific day
        _allowed(one, Mode.SHORT, morning - 10 * H)  # the Pacific day before


def test_youtube_counts_what_the_project_already_spent_today(app, video):
    app.config["YOUTUBE_QUOTA_UPLOADS_PER_DAY"] = 2
    now = utcnow()
    with app.app_context():
        channel = _account("youtube", "UC-spent")
        assert counters.spend(db.session, quota.project(), quota.UPLOADS, quota.today(now), 1, 2)
        _allowed(channel, Mode.SHORT, None)
        _delivery(video, channel, "youtube", at=now + dt.timedelta(minutes=5))
        message = _refusal(channel, Mode.SHORT, None)
        assert "2 are already sent or planned" in message
        midnight = quota.next_pacific_midnight(now)
        assert f"There is room again from {_local(midnight)}." in message
        # Google said the bucket is empty: nothing more today, whatever was counted.
        quota.exhausted(db.session, "videos.insert", now)
        app.config["YOUTUBE_QUOTA_UPLOADS_PER_DAY"] = 50
        message = _refusal(channel, Mode.SHORT, now + H / 2)
        assert "upload 50 videos" in message and "51 are already sent or planned" in message
        assert f"There is room again from {_local(midnight)}." in message


def test_a_post_over_a_limit_is_refused_whole_and_stores_nothing(app, users, video):
    app.config["META_PAGE_REELS_PER_DAY"] = 1
    at = _tomorrow_noon()
    with app.app_context():
        page = _account("facebook", "page-full")
        ig = _account("instagram", "ig-free")
        _delivery(video, page, "facebook", at=at - 3 * H)
        user = db.session.scalar(select(User).where(User.email == "admin@example.com"))
        before = db.session.query(Post).count()
        draft = Draft(video_id=video.id, consent=True, caption="Kettle")
        planned = [(ig, Mode.DIRECT, {}), (page, Mode.DIRECT, {})]
        with pytest.raises(PostError) as refused:
            create_post(db.session, user, draft, "limit-key", planned, plan=Plan(at))
        assert "Facebook lets one Page publish 1 Reels" in refused.value.message
        assert refused.value.field_errors == {"send_at": refused.value.message}
        assert db.session.query(Post).count() == before
        # A day after the planned one there is room; the post is made with both deliveries.
        post, created = create_post(
            db.session, user, draft, "limit-key", planned, plan=Plan(at + 21 * H)
        )
        assert created and len(post.deliveries) == 2
