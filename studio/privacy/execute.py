"""Carrying out a verified deletion request: resumable steps, then a receipt.

Each step is safe to run again: it derives what is left to erase from the rows, and the
request's ``step`` column records the last step finished, so a crashed job resumes there.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable
from typing import Any, cast

from flask import current_app
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from studio import db, ledger
from studio.audit import Action, Actor, record, scope
from studio.privacy import meta, services
from studio.privacy.models import DeletionRequest, RequestStatus

log = logging.getLogger(__name__)
ACTOR = Actor.job("privacy.execute")

# What each receipt count means, in the requester's words.
LABELS = {
    "tiktok_tokens": "TikTok access and refresh tokens (revoked at TikTok, then erased)",
    "tiktok_profile": "TikTok profile (open ID, display name, avatar)",
    "data_key": "The encryption key of your account's secrets (destroyed)",
    "posts": "Posts sent to your account, with captions and settings",
    "videos": "Video records",
    "video_files": "Video and poster files",
    "audit_payloads": "Contents of audit log entries about your account",
    "staff_account": "Staff account and its sign-in sessions",
    "outbox_mail": "Our copies of the e-mails we sent you (outgoing mail folder)",
}

KEPT_AUDIT = {
    "what": "Audit log entries about your account: date, action and outcome, without contents",
    "why": "The tamper-evident log must stay complete to prove what was done and when; the "
    "contents that held your data were erased. The entries are deleted "
    "{AUDIT_RETENTION_DAYS} days after they were written.",
}
KEPT_TOMBSTONES = {
    "what": "The numbers of the erased posts, with this request's number and date",
    "why": "So that the company's staff see why those posts are gone; nothing else about "
    "them or you is kept.",
}
KEPT_SMTP_MAIL = {
    "what": "E-mails we sent you",
    "why": "We keep no copy: they were handed to our mail provider, which keeps its delivery "
    "records under its own retention (see the privacy policy's recipients).",
}
KEPT_RECEIPT = {
    "what": "This receipt: a salted hash of your identifier, the dates and the counts shown",
    "why": "To prove that we carried out your request (our legal obligation). It cannot be "
    "read back into your identity and is deleted after {DELETION_RECEIPT_DAYS} days.",
}


def kept(item: dict[str, str]) -> dict[str, str]:
    """A "kept" line of the receipt, its periods filled in from the configuration."""
    return {key: text.format_map(current_app.config) for key, text in item.items()}


class Tally:
    """The receipt being built, persisted on the request after every step."""

    def __init__(self, req: DeletionRequest) -> None:
        data = services.receipt(req)
        self.erased: dict[str, int] = data.get("erased", {})
        self.kept: list[dict[str, str]] = data.get("kept", [])
        self.pending_videos: list[int] = data.get("pending_videos", [])
        self.searched: list[str] = data.get("searched", [])
        self.subject: str | None = data.get("subject")

    def add(self, category: str, count: int) -> None:
        if count:
            self.erased[category] = self.erased.get(category, 0) + count

    def keep(self, item: dict[str, str]) -> None:
        item = kept(item)
        if item not in self.kept:
            self.kept.append(item)

    def save(self, req: DeletionRequest) -> None:
        data: dict[str, Any] = {"erased": self.erased, "kept": self.kept}
        if self.pending_videos:
            data["pending_videos"] = self.pending_videos
        if self.searched:  # a search-only plan: where we looked, for whom
            data["searched"], data["subject"] = self.searched, self.subject
        req.receipt = json.dumps(data, sort_keys=True)


Step = Callable[[Session, DeletionRequest, dict[str, Any], Tally], None]


def _locate(session: Session, req: DeletionRequest, subj: dict[str, Any], tally: Tally) -> None:
    account = _account(session, subj.get("open_id"))
    req.account_id = account.id if account is not None else None
    if account is not None:
        ledger.append(ledger.ACCOUNT, account.id)  # a restored backup must forget it too


def _revoke(session: Session, req: DeletionRequest, subj: dict[str, Any], tally: Tally) -> None:
    from studio.platforms.tiktok import services as tiktok

    if subj.get("verify_token"):
        session.commit()
        with scope(account_id=req.account_id):
            _revoke_quietly(tiktok.get_client(), subj["verify_token"])
    account = _account_by_id(session, req.account_id)
    if account is None or not account.data_key:
        return

    tokens = int(bool(account.access_token_enc)) + int(bool(account.refresh_token_enc))
    session.commit()  # no transaction stays open across the revoke call to TikTok
    tiktok.disconnect(session, account, ACTOR, f"data deletion request #{req.id}")
    tally.add("tiktok_tokens", tokens)
    tally.add("data_key", 1)


def _posts(session: Session, req: DeletionRequest, subj: dict[str, Any], tally: Tally) -> None:
    if req.account_id is None:
        return
    from studio.posts.models import Post
    from studio.privacy import erasures

    posts = session.scalars(select(Post).where(Post.account_id == req.account_id)).all()
    # The videos these posts sent are erased next; remember them before the posts go.
    tally.pending_videos = sorted(set(tally.pending_videos) | {p.video_id for p in posts})
    erasures.record(session, req.id, [p.id for p in posts])
    if posts:
        tally.keep(KEPT_TOMBSTONES)
    for post in posts:
        session.delete(post)
    tally.add("posts", len(posts))


def _videos(session: Session, req: DeletionRequest, subj: dict[str, Any], tally: Tally) -> None:
    from studio.posts.models import Post
    from studio.videos import services as videos
    from studio.videos.models import Video

    for video_id in tally.pending_videos:
        video = session.get(Video, video_id)
        if video is None:
            continue
        if video.has_file:
            tally.add("video_files", 1 + int(bool(video.poster_name)))
            videos.delete_file(session, video, f"data deletion request #{req.id}")
        db.begin_write(session)
        if session.scalar(select(Post.id).where(Post.video_id == video_id).limit(1)) is None:
            session.delete(session.get(Video, video_id))
            tally.add("videos", 1)
        session.commit()
    tally.pending_videos = []


def _audit(session: Session, req: DeletionRequest, subj: dict[str, Any], tally: Tally) -> None:
    erase = _audit_eraser("erase_payloads")
    if erase is not None and req.account_id is not None:
        tally.add("audit_payloads", int(erase(session, req.account_id) or 0))
    # Exchanges recorded before the account row existed (sign-in, verification) carry no
    # account id; the audit room can find those by the identifiers they contain.
    matching = _audit_eraser("erase_payloads_matching")
    needles = [v for v in (subj.get("open_id"),) if v]
    if matching is not None and needles:
        tally.add("audit_payloads", int(matching(session, needles) or 0))
    if tally.erased.get("audit_payloads"):
        tally.keep(KEPT_AUDIT)


def _profile(session: Session, req: DeletionRequest, subj: dict[str, Any], tally: Tally) -> None:
    account = _account_by_id(session, req.account_id)
    if account is None:
        return
    from studio.platforms.tiktok.services import destroy_secrets

    if account.data_key:
        tally.add("data_key", 1)
    destroy_secrets(session, account)
    session.delete(account)
    tally.add("tiktok_profile", 1)


def _staff(session: Session, req: DeletionRequest, subj: dict[str, Any], tally: Tally) -> None:
    from studio.auth.models import User

    email = (subj.get("email") or "").strip().lower()
    user = session.scalar(select(User).where(User.email == email)) if email else None
    if user is None:
        return
    if user.active:
        tally.keep(
            {
                "what": "Your staff account",
                "why": "It is still active: an administrator deactivates it when you leave, "
                "after which a new request erases it.",
            }
        )
        return
    ledger.append(ledger.STAFF, user.id)
    session.delete(user)
    tally.add("staff_account", 1)
    tally.keep(
        {
            "what": "Audit log entries recording your actions as staff",
            "why": "Kept for the security of the service and to account for what was "
            "published; they are deleted with the log's retention, {AUDIT_RETENTION_DAYS} days "
            "after they were written.",
        }
    )


PLANS: dict[str, tuple[tuple[str, Step], ...]] = {
    "tiktok": (
        ("locate", _locate),
        ("revoke", _revoke),
        ("posts", _posts),
        ("videos", _videos),
        ("audit", _audit),
        ("profile", _profile),
    ),
    "email": (("staff", _staff),),
    # Nothing stores Meta user ids: the plan searches and says so (see studio/privacy/meta.py).
    "meta": (("search", meta.search),),
}


def execute(session: Session, request_id: int) -> DeletionRequest | None:
    """Run the remaining steps of one request; safe to call again at any point."""
    req = session.get(DeletionRequest, request_id)
    if req is None or req.status != RequestStatus.IN_PROGRESS:
        return req
    subj = services.subject(req)
    plan = PLANS.get(req.kind, ())
    done = [name for name, _ in plan]
    start = done.index(req.step) + 1 if req.step in done else 0
    with scope(actor=ACTOR, job_id=f"deletion-{req.id}"):
        try:
            for name, step in plan[start:]:
                _run_step(session, req, name, step, subj)
            _finish(session, req, subj)
        except Exception as exc:
            # The sweeper resumes stalled requests from the last finished step.
            session.rollback()
            req = session.get_one(DeletionRequest, request_id)
            # Only the exception's type: messages may quote SQL parameters (identifiers).
            log.warning(
                "deletion request %s stopped after step %s: %s; it will resume",
                request_id,
                req.step,
                type(exc).__name__,
            )
            req.last_error = type(exc).__name__
            session.commit()
    return req


def _run_step(
    session: Session, req: DeletionRequest, name: str, step: Step, subj: dict[str, Any]
) -> None:
    services.lock(session, req)
    req.attempts += 1
    tally = Tally(req)
    step(session, req, subj, tally)
    if not session.in_transaction():
        db.begin_write(session)  # the step committed on its way (another room's service)
    tally.save(req)
    req.step = name
    session.commit()


REPLAY_STEPS = ("posts", "videos", "audit", "profile")


def replay_account(session: Session, account_id: int) -> bool:
    """Erase an account again after a restore (deletion ledger); False when already gone."""
    if _account_by_id(session, account_id) is None:
        session.commit()
        return False
    # A stand-in request, never stored: the steps read only its id, kind and account.
    req = DeletionRequest(kind="tiktok", account_id=account_id)
    tally = Tally(req)
    with scope(actor=ACTOR, account_id=account_id):
        for name, step in PLANS["tiktok"]:
            if name in REPLAY_STEPS:
                step(session, req, {}, tally)
                session.commit()
    return True


def _finish(session: Session, req: DeletionRequest, subj: dict[str, Any]) -> None:
    services.lock(session, req)
    tally = Tally(req)
    tally.pending_videos = []
    _mail(subj, tally)
    tally.keep(KEPT_RECEIPT)
    tally.save(req)
    req.step = "done"
    services.close(session, req, RequestStatus.COMPLETED, None)
    counts = dict(tally.erased)
    record(
        Action.DELETION_EXECUTED,
        actor=ACTOR,
        summary=f"deletion request #{req.id} completed",
        payload={"request_id": req.id, "erased": counts},
    )
    checkpoint(session)
    from studio.privacy import erasures

    erasures.notify_admins(session, req)


def _mail(subj: dict[str, Any], tally: Tally) -> None:
    """Erase our outbox copies of the mail sent to the requester (instead of keeping them
    for OUTBOX_RETENTION_DAYS); with a mail server there are no copies to erase."""
    from studio.privacy import mail

    addresses = (subj.get("email"), subj.get("notice_email"))
    if current_app.config.get("SMTP_HOST"):
        if any(addresses):
            tally.keep(KEPT_SMTP_MAIL)
        return
    tally.add("outbox_mail", mail.erase_sent_to(addresses))


def checkpoint(session: Session) -> None:
    """Flush SQLite's WAL into the database and truncate it (deleted bytes leave the WAL)."""
    if not db.is_sqlite(session):
        return
    raw = cast(Engine, session.get_bind()).raw_connection()  # sessions bind to the app's engine
    try:
        cast(sqlite3.Connection, raw.driver_connection).execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        raw.close()


def _revoke_quietly(client: Any, token: str) -> None:
    from studio.platforms.tiktok.errors import PlatformError

    try:
        client.revoke(token)
    except PlatformError:
        log.warning("revoking the verification token failed; it expires on its own")


def _account(session: Session, open_id: str | None) -> Any:
    if not open_id:
        return None
    from studio.platforms.models import Account

    return session.scalar(select(Account).where(Account.remote_id == open_id))


def _account_by_id(session: Session, account_id: int | None) -> Any:
    if account_id is None:
        return None
    from studio.platforms.models import Account

    return session.get(Account, account_id)


def _audit_eraser(name: str) -> Callable[..., int] | None:
    try:
        from studio.audit import services as audit_services
    except ImportError:
        return None
    return getattr(audit_services, name, None)
