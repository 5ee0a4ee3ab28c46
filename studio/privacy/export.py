"""Access and portability: everything we hold about a verified requester, as JSON.

Rows are exported column by column from the inventory: every column a non-secret dataset
declares for a table is in the export under its own name, so a new declared column cannot be
forgotten (tests/privacy/test_export.py fills every one and looks for it). Secrets (tokens,
keys, hashes) are never exported; the export says they exist.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from flask import current_app
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from studio.audit.models import AuditEntry
from studio.auth.services import find_user
from studio.metrics.models import AccountSnapshot, MetricVideo, VideoSnapshot
from studio.platforms import registry
from studio.platforms.erasure import Erasure
from studio.platforms.models import Account, Delivery
from studio.posts.models import CaptionTemplate, Post
from studio.privacy import inventory, policy, services
from studio.privacy.models import DeletionRequest
from studio.videos.models import UploadSession, Video

# Context that is not personal but makes the rows readable.
CONTEXT = {
    "accounts": ("id", "status"),
    "posts": ("id", "created_at", "video_id"),
    "deliveries": ("id", "account_id", "platform", "mode", "status", "created_at", "finished_at"),
    "videos": ("id", "size_bytes", "duration_s", "created_at", "file_deleted_at"),
    "audit_entries": ("seq", "at", "actor_kind", "kind", "status", "summary"),
    "upload_sessions": ("id", "created_at", "expires_at"),
    "users": ("role", "active", "totp_enabled"),
}
# Declared columns that are one-way or random values, not data about anyone.
NOT_EXPORTED = frozenset({"audit_entries.salt", "videos.sha256"})


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def _value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float | str | list | dict):
        return value
    return str(value)


def exported_columns(table: str) -> list[str]:
    """The columns of ``table`` an export holds: context, then every declared non-secret one."""
    declared = [
        name.split(".", 1)[1]
        for ds in inventory.DATASETS
        if not ds.secret
        for name in ds.columns
        if name.startswith(table + ".") and name not in NOT_EXPORTED
    ]
    return list(dict.fromkeys([*CONTEXT.get(table, ()), *declared]))


def row(obj: Any, table: str) -> dict[str, Any]:
    """One row as plain data, by the inventory."""
    data = {col: _value(getattr(obj, col)) for col in exported_columns(table)}
    if table == "audit_entries" and isinstance(data.get("payload"), str):
        data["payload"] = json.loads(data["payload"])
    return data


def _account_data(account: Account) -> dict[str, Any]:
    return {
        **row(account, "accounts"),
        "scopes": account.scope_list,
        "tokens": "stored encrypted; never exported" if account.data_key else "none",
    }


def _posts(session: Session, where: Any, account_id: int | None = None) -> list[dict[str, Any]]:
    """Posts with their video and deliveries (only those to ``account_id`` when given)."""
    rows = session.execute(
        select(Post, Video).join(Video, Video.id == Post.video_id).where(where).order_by(Post.id)
    ).all()
    return [
        {
            **row(post, "posts"),
            "video": row(video, "videos"),
            "deliveries": [
                row(d, "deliveries")
                for d in post.deliveries
                if account_id is None or d.account_id == account_id
            ],
        }
        for post, video in rows
    ]


def _audit(session: Session, *conditions: Any) -> list[dict[str, Any]]:
    query = select(AuditEntry).where(or_(*conditions)).order_by(AuditEntry.seq)
    return [row(e, "audit_entries") for e in session.scalars(query)]


def _owner(session: Session, erasure: Erasure, remote_id: str) -> dict[str, Any]:
    """The person's account at the platform (each, under a login that has several), its
    posts, figures, and audit entries tied to it or naming the platform's id for them."""
    key = f"{erasure.kind}_account"
    accounts = [a for i in erasure.locate(session, remote_id) if (a := session.get(Account, i))]
    # Exchanges before the account existed (sign-in, verification) carry no account id.
    mentions = AuditEntry.payload.contains(remote_id)
    if not accounts:
        return {key: None, "audit_log": _audit(session, mentions)}
    tied = AuditEntry.account_id.in_([a.id for a in accounts])
    if len(accounts) > 1:
        return {
            f"{key}s": [_account(session, a) for a in accounts],
            "audit_log": _audit(session, tied, mentions),
        }
    return {**_account(session, accounts[0], key), "audit_log": _audit(session, tied, mentions)}


def _account(session: Session, account: Account, key: str = "account") -> dict[str, Any]:
    """One account with the posts sent to it and its figures."""
    return {
        key: _account_data(account),
        "posts": _posts(
            session,
            Post.id.in_(select(Delivery.post_id).where(Delivery.account_id == account.id)),
            account.id,
        ),
        "performance": _performance(session, account.id),
    }


def _performance(session: Session, account_id: int) -> dict[str, Any]:
    """The account's daily figures and its videos' (metrics room)."""
    videos = session.scalars(
        select(MetricVideo).where(MetricVideo.account_id == account_id).order_by(MetricVideo.id)
    ).all()
    days = session.scalars(
        select(AccountSnapshot)
        .where(AccountSnapshot.account_id == account_id)
        .order_by(AccountSnapshot.day)
    )
    snaps = session.scalars(
        select(VideoSnapshot)
        .where(VideoSnapshot.video_id.in_([v.id for v in videos]))
        .order_by(VideoSnapshot.video_id, VideoSnapshot.day)
    )
    by_video: dict[int, list[dict[str, Any]]] = {}
    for snap in snaps:
        by_video.setdefault(snap.video_id, []).append(
            {"day": snap.day.isoformat(), **row(snap, "video_snapshots")}
        )
    return {
        "account_days": [{"day": d.day.isoformat(), **row(d, "account_snapshots")} for d in days],
        "videos": [{**row(v, "metric_videos"), "days": by_video.get(v.id, [])} for v in videos],
    }


def _staff(session: Session, email: str) -> dict[str, Any]:
    """A staff member's account, their posts, videos, unfinished uploads, caption templates and
    recorded actions."""
    user = find_user(session, email)
    if user is None:
        return {"staff_account": None}
    videos = session.scalars(select(Video).where(Video.uploaded_by_id == user.id))
    uploads = session.scalars(select(UploadSession).where(UploadSession.user_id == user.id))
    presets = session.scalars(
        select(CaptionTemplate).where(CaptionTemplate.created_by_id == user.id)
    )
    actions = and_(AuditEntry.actor_kind == "user", AuditEntry.actor_id == str(user.id))
    return {
        "staff_account": {
            **row(user, "users"),
            "two_factor": user.totp_enabled,
        },
        "staff_posts": _posts(session, Post.created_by_id == user.id),
        "staff_videos": [row(v, "videos") for v in videos],
        "staff_uploads": [row(u, "upload_sessions") for u in uploads],
        "staff_caption_templates": [row(t, "caption_templates") for t in presets],
        "staff_actions": _audit(session, actions),
    }


def build(session: Session, req: DeletionRequest) -> dict[str, Any]:
    """The export for the verified subject of ``req``."""
    subj = services.subject(req)
    data: dict[str, Any] = {
        "generated_at": _iso(dt.datetime.now(dt.UTC)),
        "operator": current_app.config["OPERATOR_NAME"],
        "request": {
            "type": str(req.request_type),
            "status": str(req.status),
            "received_at": _iso(req.received_at),
            "verified_at": _iso(req.verified_at),
            "due_at": _iso(req.due_at),
            "you_told_us": {k: v for k, v in subj.items() if k != "verify_token"},
        },
        "what_we_store": inventory.datasets(current_app.config),
        "where_it_is_kept": inventory.stores(current_app.config),
        "recipients": policy.third_parties(current_app.config),
        "sources": sources(current_app.config),
    }
    for erasure in registry.erasures():
        if subj.get(erasure.subject_key):
            data.update(_owner(session, erasure, str(subj[erasure.subject_key])))
    if subj.get("email"):
        data.update(_staff(session, subj["email"]))
    return data


def sources(config: Any) -> list[str]:
    """Where the data came from: each configured platform, as the policy describes it, then
    our staff and the person themselves."""
    return [f"{p['name']}: {p['role']}" for p in policy.third_parties(config)] + [
        "Our staff: videos, captions, product details and post settings",
        "You: what you wrote in your requests",
    ]
