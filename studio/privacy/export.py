"""Access and portability: everything we hold about a verified requester, as JSON."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from studio.privacy import inventory, services
from studio.privacy.models import DeletionRequest


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def _account(session: Session, open_id: str) -> dict[str, Any] | None:
    from studio.tiktok.models import TikTokAccount

    account = session.scalar(select(TikTokAccount).where(TikTokAccount.open_id == open_id))
    if account is None:
        return None
    return {
        "id": account.id,
        "open_id": account.open_id,
        "display_name": account.display_name,
        "avatar_url": account.avatar_url,
        "scopes": account.scope_list,
        "status": str(account.status),
        "connected_at": _iso(account.connected_at),
        "disconnected_at": _iso(account.disconnected_at),
        "tokens": "stored encrypted; never exported" if account.data_key else "none",
    }


def _posts(session: Session, account_id: int) -> list[dict[str, Any]]:
    try:
        from studio.posts.models import Post
        from studio.videos.models import Video
    except ImportError:
        return []
    rows = session.execute(
        select(Post, Video)
        .join(Video, Video.id == Post.video_id)
        .where(Post.account_id == account_id)
    ).all()
    return [
        {
            "id": post.id,
            "created_at": _iso(post.created_at),
            "mode": str(post.mode),
            "status": str(post.status),
            "caption": post.caption,
            "hashtags": post.hashtags,
            "publish_id": post.publish_id,
            "tiktok_post_ids": post.tiktok_post_ids,
            "video": {
                "name": video.display_name,
                "size_bytes": video.size_bytes,
                "duration_s": video.duration_s,
                "uploaded_at": _iso(video.created_at),
            },
        }
        for post, video in rows
    ]


def _audit(session: Session, account_id: int) -> list[dict[str, Any]]:
    try:
        from studio.audit.models import AuditEntry
    except ImportError:
        return []
    entries = session.scalars(
        select(AuditEntry).where(AuditEntry.account_id == account_id).order_by(AuditEntry.seq)
    )
    return [
        {
            "seq": e.seq,
            "at": _iso(e.at),
            "kind": e.kind,
            "status": e.status,
            "summary": e.summary,
            "payload": json.loads(e.payload) if e.payload else None,
        }
        for e in entries
    ]


def _staff(session: Session, email: str) -> dict[str, Any] | None:
    from studio.auth.models import User

    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        return None
    return {
        "email": user.email,
        "role": str(user.role),
        "active": user.active,
        "created_at": _iso(user.created_at),
        "last_login_at": _iso(user.last_login_at),
        "two_factor": user.totp_enabled,
    }


def build(session: Session, req: DeletionRequest) -> dict[str, Any]:
    """The export for the verified subject of ``req``."""
    subj = services.subject(req)
    data: dict[str, Any] = {
        "generated_at": _iso(dt.datetime.now(dt.UTC)),
        "operator": current_app.config["OPERATOR_NAME"],
        "request": {
            "status": str(req.status),
            "received_at": _iso(req.received_at),
            "verified_at": _iso(req.verified_at),
            "due_at": _iso(req.due_at),
        },
        "what_we_store": inventory.datasets(current_app.config),
    }
    if subj.get("open_id"):
        account = _account(session, subj["open_id"])
        data["tiktok_account"] = account
        if account is not None:
            data["posts"] = _posts(session, account["id"])
            data["audit_log"] = _audit(session, account["id"])
    if subj.get("email"):
        data["staff_account"] = _staff(session, subj["email"])
    return data
