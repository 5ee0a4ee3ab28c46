"""The receipt of a deletion request: what each count means, what is kept and why, the tally."""

from __future__ import annotations

import json
from typing import Any

from flask import current_app

from studio.platforms import registry
from studio.privacy import services
from studio.privacy.models import DeletionRequest

# What each receipt count means, in the requester's words (each platform adds its own).
LABELS = {
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
KEPT_STAFF_ACTIVE = {
    "what": "Your staff account",
    "why": "It is still active: an administrator deactivates it when you leave, after which "
    "a new request erases it.",
}
KEPT_STAFF_ACTIONS = {
    "what": "Audit log entries recording your actions as staff",
    "why": "Kept for the security of the service and to account for what was published; they "
    "are deleted with the log's retention, {AUDIT_RETENTION_DAYS} days after they were "
    "written.",
}


def labels() -> dict[str, str]:
    """Every receipt category with its meaning: each platform's, then the rooms' own."""
    found: dict[str, str] = {}
    for erasure in registry.erasures():
        found.update(erasure.labels)
    return {**found, **LABELS}


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
        """Count `count` more of `category` (nothing for zero)."""
        if count:
            self.erased[category] = self.erased.get(category, 0) + count

    def add_all(self, counts: dict[str, int]) -> None:
        """Count every category of `counts`."""
        for category, count in counts.items():
            self.add(category, count)

    def keep(self, item: dict[str, str]) -> None:
        """Say once that `item` is kept, and why."""
        item = kept(item)
        if item not in self.kept:
            self.kept.append(item)

    def save(self, req: DeletionRequest) -> None:
        """Store the receipt on the request (the caller commits)."""
        data: dict[str, Any] = {"erased": self.erased, "kept": self.kept}
        if self.pending_videos:
            data["pending_videos"] = self.pending_videos
        if self.accounts:
            data["accounts"] = self.accounts
        if self.searched:  # a search-only plan: where we looked, for whom
            data["searched"], data["subject"] = self.searched, self.subject
        req.receipt = json.dumps(data, sort_keys=True)
