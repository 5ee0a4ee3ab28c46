"""Posts: prepare, consent and create, list, retry, status, webhook events, counts."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from studio import db
from studio.audit import Action, Actor, record, scope
from studio.db import utcnow
from studio.posts import captions, rules
from studio.posts.models import PENDING_DRAFT, TERMINAL, Mode, Post, PostStatus, Source
from studio.tiktok.models import TikTokAccount
from studio.videos.models import Video

log = logging.getLogger(__name__)
DRAFT_WINDOW = dt.timedelta(hours=24)


class PostError(Exception):
    """A post cannot be created or changed; the message is for people."""

    def __init__(self, message: str, field_errors: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field_errors = field_errors or {}


@dataclass
class Draft:
    """Everything the staff member prepared and consented to (one send)."""

    video_id: int
    account_id: int
    mode: Mode
    caption: str = ""
    hashtags_raw: str = ""
    product_name: str = ""
    product_sku: str = ""
    is_aigc: bool = False
    direct: rules.DirectSettings | None = None
    consent: bool = False
    hashtags: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.hashtags = captions.normalise_hashtags(self.hashtags_raw, self.caption)

    @property
    def title(self) -> str:
        """Caption plus hashtags, as TikTok will show them."""
        return captions.compose_title(self.caption, self.hashtags)


def direct_post_enabled() -> bool:
    """Direct Post is off unless TIKTOK_DIRECT_POST is set (TikTok's audit, platform-apis §4)."""
    return bool(current_app.config["TIKTOK_DIRECT_POST"])


def usable_accounts(session: Session) -> list[TikTokAccount]:
    """Connected accounts that may receive drafts."""
    from studio.tiktok import services as tiktok

    return [a for a in tiktok.connected_accounts(session) if a.has_scope("video.upload")]


def check_target(session: Session, draft: Draft) -> tuple[Video, TikTokAccount]:
    """The video and account exist and suit the mode; raises PostError otherwise."""
    video = session.get(Video, draft.video_id)
    if video is None:
        raise PostError("That video does not exist.", {"video_id": "Unknown video."})
    if not video.has_file:
        raise PostError("The video file was deleted from this server; upload it again.")
    account = session.get(TikTokAccount, draft.account_id)
    if account is None or not account.is_usable:
        raise PostError(
            "That TikTok account is not connected.", {"account_id": "Choose a connected account."}
        )
    if draft.mode == Mode.DIRECT:
        if not direct_post_enabled():
            raise PostError("Direct posting is switched off; send it as a draft.")
        if not account.has_scope("video.publish"):
            raise PostError(
                "This account did not allow direct posting (video.publish); send a draft.",
                {"mode": "Not allowed for this account."},
            )
    elif not account.has_scope("video.upload"):
        raise PostError("This account did not allow uploads (video.upload); reconnect it.")
    return video, account


def check_caption(draft: Draft) -> None:
    """TikTok's caption limit (UTF-16 code units) on caption plus hashtags."""
    problem = captions.title_problem(draft.title)
    if problem:
        raise PostError(problem, {"caption": problem})


def check_direct(draft: Draft, video: Video, creator: Any) -> None:
    """Direct Post UX rules, validated on the server whatever the browser sent."""
    if draft.direct is None:
        raise PostError("Choose the direct post settings.")
    found = rules.problems(draft.direct, creator, video.duration_s)
    if found:
        raise PostError(" ".join(dict.fromkeys(found.values())), found)


def consent_sentence(draft: Draft, nickname: str, username: str = "") -> str:
    """The consent line naming the account, as shown next to the checkbox."""
    who = f"“{nickname}”" + (f" (@{username})" if username else "")
    if draft.mode == Mode.DIRECT:
        return f"I want to publish this video to the TikTok account {who} now."
    return f"I want to send this video to the TikTok account {who} as a draft in its inbox."


def pending_drafts(session: Session, account_id: int) -> int:
    """Drafts TikTok counts against the 5-per-24-hours limit for this account."""
    since = utcnow() - DRAFT_WINDOW
    return (
        session.scalar(
            select(func.count(Post.id)).where(
                Post.account_id == account_id,
                Post.mode == Mode.DRAFT,
                Post.publish_id.is_not(None),
                Post.sent_at > since,
                Post.status.in_([s.value for s in PENDING_DRAFT]),
            )
        )
        or 0
    )


def create_post(
    session: Session, user: Any, draft: Draft, key: str, creator: Any = None, consent_text: str = ""
) -> tuple[Post, bool]:
    """Create the post once per form nonce; returns (post, created). Nothing is sent here."""
    existing = session.scalar(select(Post).where(Post.idempotency_key == key))
    if existing is not None:
        return existing, False
    if not draft.consent:
        raise PostError("Tick the consent box to send.", {"consent": "Consent is required."})
    video, account = check_target(session, draft)
    check_caption(draft)
    post_info = None
    if draft.mode == Mode.DIRECT:
        check_direct(draft, video, creator)
        post_info = rules.post_info(draft.direct, creator, draft.title, draft.is_aigc)
    post = Post(
        idempotency_key=key,
        video_id=video.id,
        account_id=account.id,
        created_by_id=user.id,
        mode=draft.mode,
        source=media_source(),
        caption=draft.caption.strip(),
        hashtags=draft.hashtags,
        product_name=draft.product_name.strip(),
        product_sku=draft.product_sku.strip(),
        is_aigc=draft.is_aigc,
        post_info=post_info,
        consent_text=consent_text,
        video_size=video.size_bytes,
        status=PostStatus.QUEUED,
    )
    session.add(post)
    try:
        session.commit()
    except IntegrityError:  # the same nonce submitted twice at once: the other one won
        session.rollback()
        existing = session.scalar(select(Post).where(Post.idempotency_key == key))
        if existing is None:
            raise
        return existing, False
    record(
        Action.POST_SENT,
        actor=Actor.user(user),
        summary=f"post {post.id}: {draft.mode} of video {video.id} to account {account.id}",
        payload={"consent": consent_text, "mode": str(draft.mode), "post_info": post_info},
        account_id=account.id,
        post_id=post.id,
    )
    return post, True


def media_source() -> Source:
    """PULL_FROM_URL when a verified public media base is configured, else FILE_UPLOAD."""
    return (
        Source.PULL_FROM_URL if current_app.config.get("PUBLIC_MEDIA_BASE") else Source.FILE_UPLOAD
    )


def enqueue(post_id: int) -> None:
    """Hand the post to the send job (the sweeper re-enqueues it should this be lost)."""
    from studio.posts.tasks import send_post

    send_post(post_id)


def get_post(session: Session, post_id: int) -> Post | None:
    """One post (every staff member may see every company post)."""
    return session.get(Post, post_id)


def list_posts(session: Session, limit: int = 50, offset: int = 0) -> list[Post]:
    """Newest first."""
    query = select(Post).order_by(Post.created_at.desc(), Post.id.desc())
    return list(session.scalars(query.limit(limit).offset(offset)))


def count_posts(session: Session) -> int:
    """How many posts exist."""
    return session.scalar(select(func.count(Post.id))) or 0


def may_retry(post: Post, user: Any) -> bool:
    """Admins and the post's creator may retry a retryable failure or a waiting post."""
    if not (user.is_admin or post.created_by_id == user.id):
        return False
    if post.status == PostStatus.FAILED:
        return post.retryable
    return post.status in (PostStatus.HELD, PostStatus.WAITING_RETRY)


def retry(session: Session, post: Post, user: Any) -> Post:
    """Try again: a post TikTok failed starts afresh; otherwise continue from publish_id."""
    db.begin_write(session)
    session.refresh(post, with_for_update=True)
    if not may_retry(post, user):
        session.rollback()
        raise PostError("This post cannot be retried now.")
    if post.status == PostStatus.FAILED and not post.account.is_usable:
        session.rollback()
        raise PostError("Reconnect the TikTok account first, then retry.")
    fresh = post.publish_id is None or post.tiktok_status == "FAILED"
    post.status = PostStatus.QUEUED
    post.attempts = 0
    post.polls = 0
    post.next_attempt_at = None
    post.fail_reason = post.fail_message = None
    post.retryable = False
    post.finished_at = None
    post.status_note = "Retry requested."
    if fresh:
        post.publish_id = None
        post.upload_url_enc = None
        post.tiktok_status = None
        post.next_chunk = post.bytes_sent = 0
        post.uploaded_at = None
        post.restarts = 0
    session.commit()
    record(
        Action.POST_RETRIED,
        actor=Actor.user(user),
        summary=f"post {post.id}: retry ({'fresh upload' if fresh else 'continue'})",
        account_id=post.account_id,
        post_id=post.id,
    )
    return post


def status_payload(post: Post) -> dict[str, Any]:
    """What the status endpoint and live page updates show."""
    return {
        "id": post.id,
        "status": str(post.status),
        "label": post.label,
        "terminal": post.is_terminal,
        "progress": round(post.progress, 4),
        "bytes_sent": post.bytes_sent,
        "video_size": post.video_size,
        "publish_id": post.publish_id,
        "tiktok_status": post.tiktok_status,
        "fail_reason": post.fail_reason,
        "fail_message": post.fail_message,
        "retryable": post.retryable,
        "note": post.status_note,
        "next_attempt_at": post.next_attempt_at.isoformat() if post.next_attempt_at else None,
        "post_ids": list(post.tiktok_post_ids or []),
    }


def apply_publish_event(
    session: Session, publish_id: str, event: str, content: dict[str, Any]
) -> Post | None:
    """Apply a TikTok post.publish.* webhook to the post with this publish_id (idempotent)."""
    from studio.posts.reasons import FAIL_REASONS, explain

    db.begin_write(session)
    post = session.scalar(select(Post).where(Post.publish_id == publish_id).with_for_update())
    if post is None:
        session.rollback()
        return None
    before = post.status
    if event == "post.publish.failed":
        if post.status != PostStatus.PUBLISHED:
            code = str(content.get("reason") or "internal")
            reason = FAIL_REASONS.get(code) or explain(code)
            post.status, post.fail_reason, post.fail_message = PostStatus.FAILED, code, reason.text
            post.retryable, post.tiktok_status = reason.retryable, "FAILED"
            post.finished_at = utcnow()
    elif event == "post.publish.complete":
        post.status, post.tiktok_status = PostStatus.PUBLISHED, "PUBLISH_COMPLETE"
        post.finished_at = post.finished_at or utcnow()
    elif event == "post.publish.inbox_delivered":
        if post.status not in TERMINAL:
            post.status, post.tiktok_status = PostStatus.IN_INBOX, "SEND_TO_USER_INBOX"
            post.finished_at = utcnow()
    elif event == "post.publish.publicly_available" and content.get("post_id") is not None:
        ids = [*(post.tiktok_post_ids or []), str(content["post_id"])]
        post.tiktok_post_ids = list(dict.fromkeys(ids))
    if post.status in TERMINAL:
        post.upload_url_enc = None
        post.next_attempt_at = None
    session.commit()
    if post.status != before:
        with scope(account_id=post.account_id, post_id=post.id):
            record(
                Action.POST_STATUS,
                actor=Actor.webhook("tiktok"),
                summary=f"post {post.id}: {before} → {post.status} ({event})",
            )
    if post.status == PostStatus.PUBLISHED and post.mode == Mode.DRAFT:
        wake_held(session, post.account_id)
    return post


def wake_held(session: Session, account_id: int) -> int:
    """A draft stopped counting against the limit: let held posts try again now."""
    held = list(
        session.scalars(
            select(Post.id).where(Post.account_id == account_id, Post.status == PostStatus.HELD)
        )
    )
    for post_id in held:
        post = session.get(Post, post_id)
        if post is not None:
            post.next_attempt_at = utcnow()
    session.commit()
    return len(held)


def due_posts(session: Session, limit: int = 100) -> list[int]:
    """Unfinished posts nobody holds whose next attempt is due (the sweeper's work list)."""
    now = utcnow()
    query = (
        select(Post.id)
        .where(
            Post.status.not_in([s.value for s in TERMINAL]),
            or_(Post.lease_until.is_(None), Post.lease_until < now),
            or_(Post.next_attempt_at.is_(None), Post.next_attempt_at <= now),
        )
        .order_by(Post.id)
        .limit(limit)
    )
    if not db.is_sqlite(session):
        query = query.with_for_update(skip_locked=True)
    ids = list(session.scalars(query))
    session.commit()
    return ids


def counts(session: Session) -> dict[str, int]:
    """Posts in flight, in inboxes and failed (for the dashboard)."""
    rows = session.execute(select(Post.status, func.count(Post.id)).group_by(Post.status)).all()
    by_status = {str(s): n for s, n in rows}
    done = {PostStatus.IN_INBOX, PostStatus.PUBLISHED, PostStatus.FAILED}
    return {
        "in_flight": sum(n for s, n in by_status.items() if s not in done),
        "in_inbox": by_status.get(PostStatus.IN_INBOX, 0),
        "published": by_status.get(PostStatus.PUBLISHED, 0),
        "failed": by_status.get(PostStatus.FAILED, 0),
    }


def video_busy_reason(session: Session, video: Any) -> str | None:
    """Why a video's file must stay (a post is still sending it), or None (videos room asks)."""
    busy = session.scalar(
        select(func.count(Post.id)).where(
            Post.video_id == video.id, Post.status.not_in([s.value for s in TERMINAL])
        )
    )
    return f"{busy} post(s) are still sending it to TikTok" if busy else None


@dataclass
class Target:
    """Who will receive the post, fetched fresh from TikTok for the preview."""

    account: TikTokAccount
    nickname: str
    username: str
    avatar_url: str | None
    creator: Any = None  # CreatorInfo when the account granted video.publish
    source: str = "creator_info"
    pending: int = 0
    limit: int = 5


def load_target(session: Session, account: TikTokAccount, user: Any) -> Target:
    """Creator info (or, for inbox-only accounts, user info) fetched fresh; raises PostError."""
    from studio.tiktok import services as tiktok
    from studio.tiktok.errors import ReconnectNeeded, SpamRisk, TikTokClientError

    limit = int(current_app.config["POSTS_PENDING_DRAFT_LIMIT"])
    pending = pending_drafts(session, account.id)
    session.commit()
    try:
        with scope(actor=Actor.user(user), account_id=account.id):
            if account.has_scope("video.publish"):
                info = tiktok.creator_info(session, account.id)
                return Target(
                    account,
                    info.nickname,
                    info.username,
                    info.avatar_url or None,
                    info,
                    pending=pending,
                    limit=limit,
                )
            # Inbox-only accounts (video.upload without video.publish) cannot call
            # creator_info, so the nickname and avatar come from user/info, also fetched now.
            client = tiktok.get_client()
            profile = tiktok.call_with_token(
                session, account.id, lambda t: client.user_info(t, ["display_name", "avatar_url"])
            )
    except ReconnectNeeded as exc:
        raise PostError("This TikTok account needs to be reconnected by an admin.") from exc
    except SpamRisk as exc:
        raise PostError(
            "TikTok says this account cannot post right now (posting limit or restriction). "
            "Try again later."
        ) from exc
    except TikTokClientError as exc:
        raise PostError(f"TikTok did not answer ({exc}). Try again in a moment.") from exc
    return Target(
        account,
        str(profile.get("display_name") or account.display_name),
        "",
        str(profile.get("avatar_url") or "") or None,
        None,
        source="user_info",
        pending=pending,
        limit=limit,
    )


def get_video_or_none(session: Session, video_id: int | None) -> Video | None:
    """The video by id, or None."""
    return session.get(Video, video_id) if video_id else None


def get_account(session: Session, account_id: int | None) -> TikTokAccount | None:
    """The TikTok account by id, or None."""
    return session.get(TikTokAccount, account_id) if account_id else None


def timeline(session: Session, post: Post, viewer: Any) -> list[Any] | None:
    """The post's audit entries, when the audit room provides them."""
    try:
        from studio.audit import services as audit
    except ImportError:
        return None
    entries_for_post = getattr(audit, "entries_for_post", None)
    return entries_for_post(session, post.id, viewer) if entries_for_post else None


def media_response(session: Session, post_id: int, sha256: str) -> Any:
    """The file for TikTok's pull (Range supported), or None when the link no longer fits."""
    from flask import request, send_file

    from studio.videos.storage import video_path

    post = session.get(Post, post_id)
    if (
        post is None
        or post.source != Source.PULL_FROM_URL
        or post.is_terminal
        or post.video.sha256 != sha256
        or not post.video.has_file
    ):
        return None
    path = video_path(post.video)
    if not path.exists():
        return None
    with scope(account_id=post.account_id, post_id=post.id):
        record(
            Action.POST_MEDIA_FETCHED,
            actor=Actor.public(),
            summary=f"post {post.id}: media pulled ({request.headers.get('Range') or 'all'})",
        )
    response = send_file(path, mimetype=post.video.content_type, conditional=True, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response
