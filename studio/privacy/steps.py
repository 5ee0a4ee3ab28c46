"""The steps of a deletion plan, each safe to run again, and the plan for each request kind.

An account owner's plan is the same for every platform: the platform's erasure (from the
registry) locates the person's accounts and ends their grants; the rooms erase what they own;
the platform's rows go last.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from studio import ledger
from studio.audit import Actor, scope
from studio.audit import erasure as audit_erasure
from studio.auth import erasure as auth_erasure
from studio.metrics import erasure as metrics_erasure
from studio.platforms import registry
from studio.platforms.erasure import Erasure
from studio.platforms.grants import delete_account
from studio.platforms.models import Account
from studio.posts import erasure as posts_erasure
from studio.privacy import meta
from studio.privacy.models import DeletionRequest
from studio.privacy.receipt import (
    KEPT_AUDIT,
    KEPT_STAFF_ACTIONS,
    KEPT_STAFF_ACTIVE,
    KEPT_TOMBSTONES,
    Tally,
)
from studio.videos import erasure as videos_erasure

ACTOR = Actor.job("privacy.execute")

Step = Callable[[Session, DeletionRequest, dict[str, Any], Tally], None]


def _erasure(req: DeletionRequest) -> Erasure:
    erasure = registry.erasure_for(req.kind)
    if erasure is None:
        raise LookupError(f"no platform answers requests of kind {req.kind!r}")
    return erasure


def _remote_id(erasure: Erasure, subj: dict[str, Any]) -> str:
    return str(subj.get(erasure.subject_key) or "")


def _accounts(req: DeletionRequest, tally: Tally) -> list[int]:
    """The accounts a plan erases: those its first step located (Meta: several), or one."""
    return tally.accounts or ([req.account_id] if req.account_id is not None else [])


def locate(session: Session, req: DeletionRequest, subj: dict[str, Any], tally: Tally) -> None:
    """The person's accounts, remembered for the steps that follow."""
    erasure = _erasure(req)
    tally.accounts = erasure.locate(session, _remote_id(erasure, subj))
    if len(tally.accounts) <= 1:
        req.account_id = tally.accounts[0] if tally.accounts else None
    for account_id in tally.accounts:
        ledger.append(ledger.ACCOUNT, account_id)  # a restored backup must forget them too


def revoke(session: Session, req: DeletionRequest, subj: dict[str, Any], tally: Tally) -> None:
    """End the grants at the platform (and a verification token kept for this); erase tokens."""
    erasure = _erasure(req)
    if subj.get("verify_token") and erasure.sign_in is not None:
        session.commit()
        with scope(account_id=req.account_id):
            erasure.sign_in.revoke_token(subj["verify_token"])
    reason = f"data deletion request #{req.id}"
    tally.add_all(erasure.revoke(session, _remote_id(erasure, subj), ACTOR, reason))


def posts(session: Session, req: DeletionRequest, subj: dict[str, Any], tally: Tally) -> None:
    """The posts sent to the accounts (tombstones kept), remembering their videos."""
    for account_id in _accounts(req, tally):
        erased = posts_erasure.erase_for_account(session, account_id, req.id)
        # The videos these posts sent are erased next; remember them before the posts go.
        tally.pending_videos = sorted(set(tally.pending_videos) | set(erased.video_ids))
        if erased.posts:
            tally.keep(KEPT_TOMBSTONES)
        tally.add("posts", erased.posts)


def metrics(session: Session, req: DeletionRequest, subj: dict[str, Any], tally: Tally) -> None:
    """The accounts' performance figures."""
    for account_id in _accounts(req, tally):
        tally.add_all(metrics_erasure.erase_for_account(session, account_id))


def videos(session: Session, req: DeletionRequest, subj: dict[str, Any], tally: Tally) -> None:
    """The videos the erased posts sent."""
    reason = f"data deletion request #{req.id}"
    tally.add_all(videos_erasure.erase_videos(session, tally.pending_videos, reason))
    tally.pending_videos = []


def audit(session: Session, req: DeletionRequest, subj: dict[str, Any], tally: Tally) -> None:
    """The contents of audit entries about the accounts or naming the person."""
    for account_id in _accounts(req, tally):
        tally.add("audit_payloads", audit_erasure.erase_for_account(session, account_id))
    # Exchanges recorded before the account row existed (sign-in, verification) carry no
    # account id; the audit room finds those by the identifiers they contain.
    identifiers = [str(v) for e in registry.erasures() if (v := subj.get(e.subject_key))]
    if identifiers:
        tally.add("audit_payloads", audit_erasure.erase_for_subject(session, identifiers))
    if tally.erased.get("audit_payloads"):
        tally.keep(KEPT_AUDIT)


def profile(session: Session, req: DeletionRequest, subj: dict[str, Any], tally: Tally) -> None:
    """The account rows, by their platform's erasure (Meta's login last)."""
    for account_id in _accounts(req, tally):
        account = session.get(Account, account_id)
        if account is None:
            continue
        erasure = registry.erasure_of(account.platform)
        if erasure is not None:
            tally.add_all(erasure.erase_account(session, account_id))
        else:  # a platform without its own part: the row by the shared rule
            tally.add_all(delete_account(session, account_id, f"{account.platform}_profile"))


def staff(session: Session, req: DeletionRequest, subj: dict[str, Any], tally: Tally) -> None:
    """A former staff member's account (an active one is kept, and the receipt says so)."""
    erased = auth_erasure.erase_for_subject(session, subj.get("email") or "")
    if erased.still_active:
        tally.keep(KEPT_STAFF_ACTIVE)
    if not erased.erased:
        return
    tally.add("staff_account", erased.erased)
    tally.keep(KEPT_STAFF_ACTIONS)


OWNER_STEPS: tuple[tuple[str, Step], ...] = (
    ("locate", locate),
    ("revoke", revoke),
    ("posts", posts),
    ("metrics", metrics),
    ("videos", videos),
    ("audit", audit),
    ("profile", profile),
)
REPLAY_STEPS = ("posts", "videos", "audit", "profile")


def plan(kind: str) -> tuple[tuple[str, Step], ...]:
    """The named steps of a request of `kind`; empty for a kind nothing answers."""
    if kind == "email":
        return (("staff", staff),)
    erasure = registry.erasure_for(kind)
    if erasure is None:
        return ()
    # Where the platform names a person we may hold nothing about, search that nothing is left
    # (studio/privacy/meta.py).
    return OWNER_STEPS + ((("search", meta.search),) if erasure.searched_as else ())


def replay_plan() -> tuple[tuple[str, Step], ...]:
    """The steps that erase one account again after a restore."""
    return tuple((name, step) for name, step in OWNER_STEPS if name in REPLAY_STEPS)
