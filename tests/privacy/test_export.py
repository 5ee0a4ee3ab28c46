"""The copy (Art. 15/20) holds every declared column about the subject, from the inventory."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from studio import db
from studio.audit import Action, Actor, record
from studio.auth.models import User
from studio.metrics.models import AccountSnapshot, MetricVideo, VideoSnapshot
from studio.platforms.models import Account
from studio.posts.models import Post
from studio.privacy import export, inventory, services
from studio.videos.models import UploadSession

# Declared about account owners, but never exported, with the reason.
EXEMPT = {
    "videos.sha256": "a digest of the file, not data about anyone",
    "audit_entries.salt": "a random value that protects the payload's digest",
    "webhook_deliveries.body_enc": "erased once processed; never tied to a subject",
    "webhook_deliveries.digest": "a digest of a delivery, not tied to a subject",
    "upload_sessions.display_name": "staff's unfinished uploads (in a staff member's export)",
}


def _keys(value, found: set[str]) -> set[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            found.add(key)
            _keys(item, found)
    elif isinstance(value, list):
        for item in value:
            _keys(item, found)
    return found


def _fill(obj, table: str) -> None:
    """Give every declared, empty column a value, so the export has something to show."""
    for name in inventory.declared_columns():
        t, column = name.split(".")
        if t == table and getattr(obj, column) is None:
            is_time = column.endswith("_at")
            setattr(obj, column, db.utcnow() if is_time else f"{column}-value")


def _about_owners() -> list[str]:
    return [
        column
        for ds in inventory.DATASETS
        if "owner" in ds.subjects and not ds.secret
        for column in ds.columns
    ]


def test_every_declared_column_about_an_account_owner_is_in_their_copy(app, sent_post):
    with app.app_context():
        account = db.session.scalar(select(Account))
        post = db.session.get(Post, sent_post.id)
        video = MetricVideo(account_id=account.id, remote_id="7001")
        db.session.add(video)
        db.session.flush()
        today = db.utcnow().date()
        day = AccountSnapshot(account_id=account.id, day=today, followers=11, following=12)
        day.likes, day.videos = 13, 14
        snap = VideoSnapshot(video_id=video.id, day=today, views=21, likes=22, comments=23)
        snap.shares, snap.saves, snap.reach = 24, 25, 26
        db.session.add_all([day, snap])
        filled = (
            (account, "accounts"),
            (post, "posts"),
            (post.deliveries[0], "deliveries"),
            (post.video, "videos"),
            (video, "metric_videos"),
            (day, "account_snapshots"),
            (snap, "video_snapshots"),
        )
        for obj, table in filled:
            _fill(obj, table)
        post.product_name, post.product_sku = "Kettle 3000", "KT-3000"
        db.session.commit()
        open_id = account.remote_id
        # An exchange recorded before the account existed names it only by its open_id.
        record(
            Action.ACCESS_REVOKED,
            actor=Actor.public(),
            summary="an exchange without an account id",
            payload={"open_id": open_id, "display_name": "Acme Studio"},
        )
        req, _ = services.open_request(
            db.session,
            kind="tiktok",
            source="form",
            subject={"name": "Acme Studio", "open_id": open_id},
            identifier=open_id,
            actor=Actor.public(),
            verified=True,
        )
        data = export.build(db.session, req)
    keys = _keys(data, set())
    missing = [c for c in _about_owners() if c not in EXEMPT and c.split(".", 1)[1] not in keys]
    assert missing == []
    (exported,) = data["posts"]
    assert exported["product_name"] == "Kettle 3000" and exported["product_sku"] == "KT-3000"
    assert exported["consent_text"].startswith("I agree")
    (delivery,) = exported["deliveries"]
    assert delivery["options"] and delivery["account_id"] == account.id
    assert any(
        e["payload"] and e["payload"].get("open_id") == open_id
        for e in data["audit_log"]
        if e["kind"] == str(Action.ACCESS_REVOKED)
    )
    assert data["recipients"] and data["where_it_is_kept"]
    # Sources: every platform configured here (not only TikTok), then staff and the person.
    platforms = [p["name"] for p in data["recipients"]]
    assert [s.split(": ", 1)[0] for s in data["sources"]] == [*platforms, "Our staff", "You"]
    with app.app_context():
        with_meta = export.sources({**app.config, "META_APP_SECRET": "configured"})
    assert any(s.startswith("Meta (Facebook, Instagram): ") for s in with_meta)
    assert "verify_token" not in keys and "access_token_enc" not in keys
    assert "data_key" not in keys


def test_a_staff_members_copy_holds_their_posts_videos_uploads_and_actions(app, sent_post):
    with app.app_context():
        post = db.session.get(Post, sent_post.id)
        user = db.session.get(User, post.created_by_id)
        post.video.uploaded_by_id = user.id
        db.session.add(
            UploadSession(
                id="u" * 43,
                user_id=user.id,
                display_name="unfinished.mp4",
                length=10,
                expires_at=db.utcnow() + dt.timedelta(hours=1),
            )
        )
        db.session.commit()
        req, _ = services.open_request(
            db.session,
            kind="email",
            source="form",
            subject={"email": user.email},
            identifier=user.email,
            actor=Actor.public(),
            verified=True,
        )
        data = export.build(db.session, req)
    assert data["staff_account"]["email"] == user.email
    assert [p["id"] for p in data["staff_posts"]] == [post.id]
    assert [v["id"] for v in data["staff_videos"]] == [post.video_id]
    assert [u["display_name"] for u in data["staff_uploads"]] == ["unfinished.mp4"]
    assert data["staff_actions"] and all(a["actor_kind"] == "user" for a in data["staff_actions"])
    assert "password_hash" not in _keys(data, set()) and "totp_secret" not in _keys(data, set())
