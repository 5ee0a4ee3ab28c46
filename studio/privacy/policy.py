"""The privacy policy's content (inventory + operator details) and its dated versions."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from studio import db
from studio.platforms.meta.client import MetaClient
from studio.platforms.tiktok.client import TikTokClient
from studio.platforms.youtube.client import YouTubeClient
from studio.platforms.youtube.connection import enabled as youtube_enabled
from studio.privacy import claims, inventory
from studio.privacy.claims import meta_enabled
from studio.privacy.models import PolicyVersion

OPERATOR_KEYS = (
    "OPERATOR_NAME",
    "OPERATOR_EMAIL",
    "OPERATOR_ADDRESS",
    "OPERATOR_WEBSITE",
    "OPERATOR_HOSTING",
    "OPERATOR_COUNTRY",
    "OPERATOR_PRIVACY_EXTRA",
)


@dataclass(frozen=True)
class Platform:
    """A platform we exchange personal data with; listed when configured and its code exists."""

    name: str
    role: str
    policy: str
    enabled: Callable[[Mapping[str, Any]], bool]
    code: Callable[..., Any]  # the code that talks to it: no code, no entry
    hosts: tuple[str, ...]  # every host of it the service's code names


PLATFORMS: tuple[Platform, ...] = (
    Platform(
        name="TikTok",
        role="The platform we publish to. When an account owner connects their account, TikTok "
        "gives us the account's public profile (open ID, display name, avatar) and access "
        "tokens; we send it the videos and captions our staff choose.",
        policy="https://www.tiktok.com/legal/page/global/privacy-policy/en",
        enabled=lambda config: True,
        code=TikTokClient,
        hosts=("open.tiktokapis.com", "www.tiktok.com"),
    ),
    Platform(
        name="Google (YouTube)",
        role="A platform we publish to. When an admin connects the company's YouTube channel, "
        "Google gives us the channel's ID, title, handle and picture, and access tokens; we "
        "send YouTube the videos, titles, descriptions and settings our staff choose. When a "
        "channel's owner signs in with Google to prove a data request, Google tells us which "
        "channel is theirs.",
        policy="https://policies.google.com/privacy",
        enabled=youtube_enabled,
        code=YouTubeClient,
        hosts=(
            "accounts.google.com",
            "oauth2.googleapis.com",
            "www.googleapis.com",
            "www.youtube.com",
            "myaccount.google.com",
            "support.google.com",
            "developers.google.com",
            "policies.google.com",
        ),
    ),
    Platform(
        name="Meta (Facebook, Instagram)",
        role="When an admin connects the company's Facebook Page and Instagram account "
        "through Facebook Login, Meta gives us the name, picture and app-scoped ID of the "
        "person who logged in, the Pages they manage (ID, name, picture) and the Instagram "
        "professional accounts linked to them (ID, name, username, picture), and access "
        "tokens; we send Instagram and Facebook the videos and captions our staff choose, as "
        "Reels. Meta tells us, with the app-scoped Meta user ID, when someone removes our app "
        "or asks for their data to be deleted; we answer a deletion request with a status "
        "link and a confirmation code.",
        policy="https://www.facebook.com/privacy/policy/",
        enabled=meta_enabled,
        code=MetaClient,
        hosts=(
            "www.facebook.com",
            "graph.facebook.com",
            "rupload.facebook.com",
            "developers.facebook.com",
        ),
    ),
)


def third_parties(config: Mapping[str, Any]) -> list[dict[str, str]]:
    """The platforms we exchange personal data with, as configured."""
    return [
        {"name": p.name, "role": p.role, "policy": p.policy} for p in PLATFORMS if p.enabled(config)
    ]


def database(config: Mapping[str, Any]) -> str:
    """The kind of database configured (what the policy says about deleted rows depends on it)."""
    return "sqlite" if claims.is_sqlite(config) else "postgresql"


def content(config: Mapping[str, Any]) -> dict[str, Any]:
    """Everything the policy page says that can change: the input of its content hash."""
    return {
        "operator": {key: config.get(key) for key in OPERATOR_KEYS},
        "datasets": inventory.datasets(config),
        "stores": inventory.stores(config),
        "third_parties": third_parties(config),
        "database": database(config),
        "claims": claims.rendered(config),
        "cookies": claims.cookies(config),
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
