"""The privacy policy's content (inventory + operator details) and its dated versions."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from studio import db
from studio.privacy import inventory
from studio.privacy.models import PolicyVersion

OPERATOR_KEYS = (
    "OPERATOR_NAME",
    "OPERATOR_EMAIL",
    "OPERATOR_ADDRESS",
    "OPERATOR_WEBSITE",
    "OPERATOR_PRIVACY_EXTRA",
)

TIKTOK = {
    "name": "TikTok",
    "role": "The platform we publish to. When an account owner connects their account, TikTok "
    "gives us the account's public profile (open ID, display name, avatar) and access tokens; "
    "we send it the videos and captions our staff choose.",
    "policy": "https://www.tiktok.com/legal/page/global/privacy-policy/en",
}
META = {
    "name": "Meta (Instagram)",
    "role": "Used when Instagram publishing is enabled: the account's ID and tokens, and the "
    "videos we publish. Meta may ask us to delete a user's data; we honour those requests.",
    "policy": "https://privacycenter.instagram.com/policy",
}
GOOGLE = {
    "name": "Google (YouTube)",
    "role": "Used when YouTube publishing is enabled: the channel's ID and tokens, and the "
    "videos we publish.",
    "policy": "https://policies.google.com/privacy",
}


def third_parties(config: Mapping[str, Any]) -> list[dict[str, str]]:
    """The platforms we exchange personal data with, as enabled."""
    parties = [TIKTOK]
    if config.get("META_ENABLED"):
        parties.append(META)
    if config.get("GOOGLE_ENABLED"):
        parties.append(GOOGLE)
    return parties


def content(config: Mapping[str, Any]) -> dict[str, Any]:
    """Everything the policy page says that can change: the input of its content hash."""
    return {
        "operator": {key: config.get(key) for key in OPERATOR_KEYS},
        "datasets": inventory.datasets(config),
        "stores": inventory.stores(config),
        "third_parties": third_parties(config),
        "deletion": {
            "auto_execute": bool(config.get("DELETION_AUTO_EXECUTE")),
            "webhook_opens": bool(config.get("WEBHOOK_OPENS_DELETION")),
        },
    }


def content_hash(data: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical JSON of the policy's content."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def current_version(session: Session, digest: str) -> PolicyVersion:
    """The version with this content; a new dated row when the content changed."""
    latest = _latest(session)
    if latest is not None and latest.content_hash == digest:
        return latest
    db.begin_write(session)
    latest = _latest(session)
    if latest is None or latest.content_hash != digest:
        latest = PolicyVersion(content_hash=digest)
        session.add(latest)
    session.commit()
    return latest


def _latest(session: Session) -> PolicyVersion | None:
    return session.scalar(select(PolicyVersion).order_by(PolicyVersion.id.desc()).limit(1))
