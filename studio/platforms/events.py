"""What platforms announce to the rooms above them (posts, privacy), as blinker signals.

A platform verifies and parses its webhooks; what the events mean for posts (a publish
finished) or for the people behind an account (they removed our access) is decided by the
rooms that subscribe here. Receivers return an outcome word (or None when the event was not
theirs); the first one is kept on the delivery.
"""

from __future__ import annotations

from typing import Any

from blinker import Namespace
from sqlalchemy.orm import Session

from studio.audit import Actor

_signals = Namespace()
# (session, platform=, remote_id=, event=, content=): a publish changed state at the platform.
publish_event = _signals.signal("platform-publish-event")
# (session, platform=, account_id=, remote_account_id=, actor=): the platform says our grant
# ended and the account is already disconnected here.
grant_removed = _signals.signal("platform-grant-removed")


def announce_publish(
    session: Session, platform: str, remote_id: str, event: str, content: dict[str, Any]
) -> str:
    """Tell the posts room; raises when nobody listens (the event would be lost)."""
    if not publish_event.receivers:
        raise RuntimeError("nobody applies publish events (is the posts room installed?)")
    results = publish_event.send(
        session, platform=platform, remote_id=remote_id, event=event, content=content
    )
    return _first(results) or "no_post"


def announce_grant_removed(
    session: Session, platform: str, account_id: int, remote_account_id: str, actor: Actor
) -> str:
    """Tell the rooms that act on a removed grant (privacy may open a deletion request)."""
    results = grant_removed.send(
        session,
        platform=platform,
        account_id=account_id,
        remote_account_id=remote_account_id,
        actor=actor,
    )
    return _first(results) or "disconnected"


def _first(results: list[tuple[Any, Any]]) -> str | None:
    return next((str(value) for _receiver, value in results if value), None)
