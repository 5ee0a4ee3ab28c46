"""Builders for the workflow tests: sign-ins, scheduling through the preview, moving time."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from studio import db, jobs
from studio.audit.models import AuditEntry
from studio.auth.models import User
from studio.db import utcnow
from studio.platforms.models import Delivery, Mode
from studio.posts.models import Post
from studio.posts.planning import Plan
from studio.posts.services import Draft, create_post
from tests.conftest import AuthActions
from tests.helpers import STAFF_PASSWORD, delivery_of
from tests.posts.conftest import send


def staff(app: Flask) -> FlaskClient:
    """A client of ``app`` signed in as the (non-admin) staff member."""
    client = app.test_client()
    response = AuthActions(app, client).login("staff@example.com", STAFF_PASSWORD)
    assert response.status_code == 302, response.data
    return client


def local(at: dt.datetime) -> str:
    """A UTC time as the browser's datetime-local value (for people in UTC)."""
    return at.strftime("%Y-%m-%dT%H:%M")


def schedule(client: FlaskClient, video: Any, account: Any, send_at: str, **fields: Any):
    """Preview, then send for ``send_at`` (local wall time of the signed-in person)."""
    return send(client, video.id, account.id, when="later", send_at=send_at, **fields)


def set_zone(app: Flask, email: str, zone: str) -> None:
    """Give a staff member a time zone (as their profile would)."""
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        user.time_zone = zone
        db.session.commit()


def last_post(app: Flask) -> Post | None:
    """The newest post, or None."""
    with app.app_context():
        return db.session.scalars(select(Post).order_by(Post.id.desc())).first()


def make_due(app: Flask, post_id: int, ago: dt.timedelta = dt.timedelta(seconds=20)) -> None:
    """Move a scheduled delivery's time to ``ago`` in the past (as if that time had come)."""
    with app.app_context():
        delivery = delivery_of(post_id)
        delivery.scheduled_at = delivery.next_attempt_at = utcnow() - ago
        db.session.commit()


def kinds(app: Flask, post_id: int) -> list[str]:
    """The audit kinds recorded for a post, oldest first."""
    with app.app_context():
        query = select(AuditEntry.kind).where(AuditEntry.post_id == post_id)
        return list(db.session.scalars(query.order_by(AuditEntry.seq)))


def fresh(app: Flask, post_id: int) -> Delivery:
    """The post's only delivery, fresh."""
    with app.app_context():
        return delivery_of(post_id)


def make_scheduled(app: Flask, video: Any, account: Any, at: dt.datetime, **plan: Any) -> int:
    """A consented draft post to ``account`` planned for ``at`` (through the service); its id."""
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "admin@example.com"))
        draft = Draft(video_id=video.id, account_id=account.id, mode=Mode.DRAFT, consent=True)
        key = secrets.token_urlsafe(16)
        post, _ = create_post(db.session, user, draft, key, plan=Plan(at, **plan))
        return post.id


def wakes(at: dt.datetime) -> int:
    """How many sweeps the queue holds for ``at`` (huey keeps scheduled tasks in its schedule,
    also in the tests' immediate mode)."""
    naive = at.replace(tzinfo=None)
    return sum(
        1
        for task in jobs.huey.scheduled()
        if task.name.endswith("sweep_due") and abs((task.eta - naive).total_seconds()) < 1
    )
