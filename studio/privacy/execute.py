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
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from studio import db, ledger
from studio.audit import Action, Actor, record, scope
from studio.audit import erasure as audit_erasure
from studio.auth import erasure as auth_erasure
from studio.metrics import erasure as metrics_erasure
from studio.platforms.models import Account
from studio.platforms.tiktok import erasure as tiktok_erasure
from studio.posts import erasure as posts_erasure
from studio.privacy import erasures, mail, meta, services
from studio.privacy.models import DeletionRequest, RequestStatus
from studio.videos import erasure as videos_erasure

log = logging.getLogger(__name__)
ACTOR = Actor.job("privacy.execute")

# What each receipt count means, in the requester's words.
LABELS = {
    "tiktok_tokens": "TikTok access and refresh tokens (revoked at TikTok, then erased)",
    "tiktok_profile": "TikTok profile (open ID, display name, avatar)",
    "meta_tokens": "Meta access tokens (the app's permissions removed at Meta, then erased)",
    "meta_profile": "Your Meta login in the app (app-scoped user ID, name, picture)",
    "facebook_profile": "Facebook Pages chosen through your login (ID, name, picture)",
    "instagram_profile": "Instagram accounts chosen through your login (ID, name, "
    "username, picture)",
    "data_key": "The encryption key of your account's secrets (destroyed)",
    "posts": "Posts sent to your account, with captions and settings",
    "videos": "Video records",
    "metric_snapshots": "Daily performance figures of your account and its videos",
    "metric_videos": "Ids and titles of your account's videos kept for performance figures",
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
        self.accounts: list[int] = data.get("accounts", [])  # a plan over several accounts

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
        if self.accounts:
            data["accounts"] = self.accounts
        if self.searched:  # a search-only plan: where we looked, for whom
            data["searched"], data["subject"] = self.searched, self.subject
        req.receipt = json.dumps(data, sort_keys=True)


Step = Callable[[Session, DeletionRequest, dict[str, Any], Tally], None]


def _locate(session: Session, req: DeletionRequest, subj: dict[str, Any], tally: Tally) -> None:
    req.account_id = tiktok_erasure.account_for_subject(session, subj.get("open_id"))
    if req.account_id is not None:
        ledger.append(ledger.ACCOUNT, req.account_id)  # a restored backup must forget it too


def _revoke(session: Session, req: DeletionRequest, subj: dict[str, Any], tally: Tally) -> None:
    if subj.get("verify_token"):
        session.commit()
        with scope(account_id=req.account_id):
            tiktok_erasure.revoke_token(subj["verify_token"])
    reason = f"data deletion request #{req.id}"
    _add(tally, tiktok_erasure.revoke_for_account(session, req.account_id, ACTOR, reason))


def _accounts(req: DeletionRequest, tally: Tally) -> list[int]:
    """The accounts a plan erases: those its first step located (Meta: several), or one."""
    return tally.accounts or ([req.account_id] if req.account_id is not None else [])


def _posts(session: Session, req: DeletionRequest, subj: dict[str, Any], tally: Tally) -> None:
    for account_id in _accounts(req, tally):
        erased = posts_erasure.erase_for_account(session, account_id, req.id)
        # The videos these posts sent are erased next; remember them before the posts go.
        tally.pending_videos = sorted(set(tally.pending_videos) | set(erased.video_ids))
        if erased.posts:
            tally.keep(KEPT_TOMBSTONES)
        tally.add("posts", erased.posts)


def _metrics(session: Session, req: DeletionRequest, subj: dict[str, Any], tally: Tally) -> None:
    for account_id in _accounts(req, tally):
        _add(tally, metrics_erasure.erase_for_account(session, account_id))


def _videos(session: Session, req: DeletionRequest, subj: dict[str, Any], tally: Tally) -> None:
    reason = f"data deletion request #{req.id}"
    _add(tally, videos_erasure.erase_videos(session, tally.pending_videos, reason))
    tally.pending_videos = []


def _audit(session: Session, req: DeletionRequest, subj: dict[str, Any], tally: Tally) -> None:
    for account_id in _accounts(req, tally):
        tally.add("audit_payloads", audit_erasure.erase_for_account(session, account_id))
    # Exchanges recorded before the account row existed (sign-in, verification) carry no
    # account id; the audit room finds those by the identifiers they contain.
    identifiers = [v for v in (subj.get("open_id"), subj.get("meta_user_id")) if v]
    if identifiers:
        tally.add("audit_payloads", audit_erasure.erase_for_subject(session, identifiers))
    if tally.erased.get("audit_payloads"):
        tally.keep(KEPT_AUDIT)


def _profile(session: Session, req: DeletionRequest, subj: dict[str, Any], tally: Tally) -> None:
    _add(tally, tiktok_erasure.erase_for_account(session, req.account_id))


def _staff(session: Session, req: DeletionRequest, subj: dict[str, Any], tally: Tally) -> None:
    erased = auth_erasure.erase_for_subject(session, subj.get("email") or "")
    if erased.still_active:
        tally.keep(
            {
                "what": "Your staff account",
                "why": "It is still active: an administrator deactivates it when you leave, "
                "after which a new request erases it.",
            }
        )
    if not erased.erased:
        return
    tally.add("staff_account", erased.erased)
    tally.keep(
        {
            "what": "Audit log entries recording your actions as staff",
            "why": "Kept for the security of the service and to account for what was "
            "published; they are deleted with the log's retention, {AUDIT_RETENTION_DAYS} days "
            "after they were written.",
        }
    )


def _add(tally: Tally, counts: dict[str, int]) -> None:
    for category, count in counts.items():
        tally.add(category, count)


PLANS: dict[str, tuple[tuple[str, Step], ...]] = {
    "tiktok": (
        ("locate", _locate),
        ("revoke", _revoke),
        ("posts", _posts),
        ("metrics", _metrics),
        ("videos", _videos),
        ("audit", _audit),
        ("profile", _profile),
    ),
    "email": (("staff", _staff),),
    # The person's Meta login and the Pages and Instagram accounts chosen through it, then a
    # search that nothing linked to the Meta user is left (studio/privacy/meta.py).
    "meta": (
        ("locate", meta.locate),
        ("revoke", meta.revoke),
        ("posts", _posts),
        ("metrics", _metrics),
        ("videos", _videos),
        ("audit", _audit),
        ("profile", meta.profile),
        ("search", meta.search),
    ),
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
    if session.get(Account, account_id) is None:  # any platform's (Meta plans name several)
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
    erasures.notify_admins(session, req)


def _mail(subj: dict[str, Any], tally: Tally) -> None:
    """Erase our outbox copies of the mail sent to the requester (instead of keeping them
    for OUTBOX_RETENTION_DAYS); with a mail server there are no copies to erase."""
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
