"""What privacy does when a platform ends our access, and Meta's deletion requests."""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app
from sqlalchemy.orm import Session

from studio.audit import Actor, scope
from studio.platforms import events as platform_events
from studio.platforms import inbox
from studio.privacy import codes, services
from studio.privacy.models import DeletionRequest


@platform_events.grant_removed.connect
def open_after_grant_removed(
    session: Session, *, platform: str, account_id: int, remote_account_id: str, actor: Actor
) -> str | None:
    """A platform says the owner removed our access: open a verified deletion request for
    the account (WEBHOOK_OPENS_DELETION), and start it (DELETION_AUTO_EXECUTE)."""
    if not current_app.config["WEBHOOK_OPENS_DELETION"]:
        return None
    with scope(actor=actor, account_id=account_id):
        req, _code = services.open_request(
            session,
            kind=platform,
            source=platform,
            subject={"open_id": remote_account_id},
            identifier=remote_account_id,
            actor=actor,
            verified=True,
        )
        req.account_id = account_id
        session.commit()
        if current_app.config["DELETION_AUTO_EXECUTE"]:
            services.start(session, req, actor)
    return "deletion_opened"


def meta_code(delivery_digest: str) -> str:
    """The confirmation code for a Meta request, derived so Meta's retries get the same one."""
    key = current_app.config["SECRET_KEY"].encode()
    raw = hmac.new(key, b"meta-deletion:" + delivery_digest.encode(), hashlib.sha256).digest()
    number = int.from_bytes(raw, "big")
    chars = []
    for _ in range(codes.CODE_LENGTH):
        number, index = divmod(number, len(codes.ALPHABET))
        chars.append(codes.ALPHABET[index])
    return "".join(chars)


def open_meta_request(session: Session, user_id: str, received: inbox.Received) -> str:
    """Open (once) a verified request for a Meta user; returns its confirmation code."""
    code = meta_code(received.delivery.digest)
    if received.duplicate:
        return code
    actor = Actor.webhook("meta")
    req, _ = services.open_request(
        session,
        kind="meta",
        source="meta",
        subject={"meta_user_id": user_id},
        identifier=f"meta:{user_id}",
        actor=actor,
        verified=True,
    )
    _replace_code(session, req, code)
    inbox.finish(session, received.delivery, "deletion_opened")
    if current_app.config["DELETION_AUTO_EXECUTE"]:
        services.start(session, req, actor)
    return code


def _replace_code(session: Session, req: DeletionRequest, code: str) -> None:
    req.code_hash = codes.hash_code(code)
    session.commit()
