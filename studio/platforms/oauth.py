"""OAuth flows every platform shares: state bound to this browser and sign-in, PKCE, single use.

A platform starts a flow with `begin(...)` (it builds its own consent URL from the state
returned and its PKCE challenge) and finishes it with `claim(...)` then `take_verifier(flow)`.
Errors are `FlowError`s worded with the platform's name, ready to render.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import secrets
from collections.abc import Mapping
from typing import Any

from authlib.common.security import generate_token
from flask import session
from flask_login import current_user
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from studio import db, vault
from studio.db import rowcount, utcnow
from studio.platforms.models import OAuthFlow
from studio.transport import TransportError


class FlowError(Exception):
    """An authorization that cannot complete; carries what the error page shows."""

    def __init__(self, kind: str, status: int, title: str, message: str, error: str = "") -> None:
        super().__init__(message)
        self.kind = kind  # denied | state | expired | replayed | exchange | scopes
        self.status = status
        self.title = title
        self.message = message
        self.error = error
        self.flow: OAuthFlow | None = None


def hash_secret(value: str) -> str:
    """SHA-256 hex of a secret we only need to recognise later."""
    return hashlib.sha256(value.encode()).hexdigest()


def new_verifier() -> str:
    """A fresh PKCE code verifier (64 characters of the unreserved alphabet)."""
    return generate_token(64)


def s256_challenge(verifier: str) -> str:
    """RFC 7636 S256: base64url(SHA-256(verifier)) without padding (Google's form)."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def cookie_key(platform: str, purpose: str) -> str:
    """The session key holding the flow's public id ("tiktok_flow:connect")."""
    return f"{platform}_flow:{purpose}"


def begin(
    platform: str,
    purpose: str,
    scopes: list[str],
    redirect_uri: str,
    ttl_s: int,
    verifier: str | None,
    context: Mapping[str, Any] | None = None,
) -> str:
    """Record a flow (with the PKCE `verifier`, None where the platform has no PKCE) for this
    browser and sign-in; returns its state."""
    state = secrets.token_urlsafe(32)
    now = utcnow()
    flow = OAuthFlow(
        platform=platform,
        public_id=secrets.token_urlsafe(24),
        state_hash=hash_secret(state),
        verifier_enc=vault.wrap(verifier) if verifier else None,
        purpose=purpose,
        scopes=",".join(scopes),
        redirect_uri=redirect_uri,
        context=json.dumps(dict(context or {})),
        user_id=_user_id(),
        login_session_hash=_login_session_hash(),
        created_at=now,
        expires_at=now + dt.timedelta(seconds=ttl_s),
    )
    db.session.add(flow)
    db.session.commit()
    session[cookie_key(platform, purpose)] = flow.public_id
    return state


def claim(platform: str, label: str, purpose: str, args: Mapping[str, str]) -> OAuthFlow:
    """Check the callback against its flow and use the flow up (atomically).

    Raises FlowError for a denial, a missing/foreign/expired/replayed state; `label` names the
    platform in the messages ("TikTok", "Google").
    """
    cookie = session.pop(cookie_key(platform, purpose), None)
    error = args.get("error") or ""
    state = args.get("state") or ""
    if not state:
        if error:
            raise denied(label, "access_denied", "", None)
        raise FlowError(
            "state", 400, "Sign-in link not recognised", f"The answer from {label} had no state."
        )
    flow = db.session.scalar(select(OAuthFlow).where(OAuthFlow.state_hash == hash_secret(state)))
    if (
        flow is None
        or flow.platform != platform
        or flow.purpose != purpose
        or cookie != flow.public_id
        or not _same_starter(flow)
    ):
        raise FlowError(
            "state",
            400,
            "Sign-in link not recognised",
            f"This answer from {label} does not belong to a sign-in started in this browser "
            "session, so it was ignored. Please start again.",
        )
    if flow.used_at is not None:
        raise FlowError(
            "replayed",
            400,
            "Link already used",
            "This authorization was already completed or abandoned. Start again.",
        )
    if flow.is_expired:
        raise FlowError(
            "expired", 400, "Link expired", "The authorization took too long. Start again."
        )
    claimed = db.session.execute(
        update(OAuthFlow)
        .where(OAuthFlow.id == flow.id, OAuthFlow.used_at.is_(None))
        .values(used_at=utcnow())
    )
    db.session.commit()
    if rowcount(claimed) != 1:
        raise FlowError("replayed", 400, "Link already used", "This authorization was used.")
    db.session.refresh(flow)
    if error:
        raise denied(label, error, args.get("error_description", ""), flow)
    return flow


def platform_of(args: Mapping[str, str]) -> str | None:
    """The platform whose flow a callback's state belongs to (None for an unknown state)."""
    state = args.get("state") or ""
    if not state:
        return None
    return db.session.scalar(
        select(OAuthFlow.platform).where(OAuthFlow.state_hash == hash_secret(state))
    )


def claim_code(
    platform: str, label: str, purpose: str, args: Mapping[str, str]
) -> tuple[OAuthFlow, str, str]:
    """`claim`, then the answer's authorization code and the flow's PKCE verifier (a
    FlowError when the platform sent no code)."""
    flow = claim(platform, label, purpose, args)
    code = args.get("code") or ""
    if not code:
        raise FlowError("exchange", 400, "No authorization code", f"{label} sent no code back.")
    return flow, code, take_verifier(flow)


def take_verifier(flow: OAuthFlow) -> str:
    """The flow's PKCE verifier, erased from the row as it is handed out."""
    verifier = vault.unwrap(flow.verifier_enc).decode() if flow.verifier_enc else ""
    flow.verifier_enc = None
    db.session.commit()
    return verifier


def flow_context(flow: OAuthFlow) -> dict[str, Any]:
    """The non-secret context given when the flow began."""
    try:
        value = json.loads(flow.context or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def purge_flows(before: dt.datetime) -> int:
    """Delete flows (of every platform) that expired before `before`; returns how many."""
    rows = db.session.scalars(select(OAuthFlow).where(OAuthFlow.expires_at < before)).all()
    for row in rows:
        db.session.delete(row)
    db.session.commit()
    return len(rows)


def purge_expired_flows(session: Session, dry_run: bool = False) -> int:
    """Delete OAuth flows expired for over an hour (retention); returns how many."""
    if not dry_run:
        db.begin_write(session)
    cutoff = db.utcnow() - dt.timedelta(hours=1)
    ids = session.scalars(select(OAuthFlow.id).where(OAuthFlow.expires_at < cutoff)).all()
    if ids and not dry_run:
        session.execute(delete(OAuthFlow).where(OAuthFlow.id.in_(ids)))
    session.commit()
    return len(ids)


def denied(label: str, error: str, description: str, flow: OAuthFlow | None) -> FlowError:
    """The platform said no: a plain "you cancelled" for access_denied, its words otherwise."""
    if error == "access_denied":
        # Pressing "Deny" is a choice, not a failure: say what it means, without an error code.
        exc = FlowError(
            "denied",
            200,
            "You cancelled",
            f"You cancelled on {label}'s page, so nothing was connected or changed. You can try "
            "again whenever you like.",
            error,
        )
    else:
        exc = FlowError(
            "denied",
            400,
            f"{label} did not authorize",
            f"{label} answered “{error}”"
            + (f": {description}" if description else ".")
            + " Nothing was connected.",
            error,
        )
    exc.flow = flow
    return exc


def code_refused(label: str, error: str, why: str = "expired or already used") -> FlowError:
    """The platform refused the authorization code; the person starts again."""
    return FlowError(
        "exchange",
        400,
        "Authorization no longer valid",
        f"{label} refused the authorization code ({why}). Nothing was stored. Start again.",
        error,
    )


def unreachable(label: str, exc: TransportError) -> FlowError:
    """The platform did not answer while the connection was being finished; nothing stored."""
    return FlowError(
        "exchange",
        504 if exc.kind == "timeout" else 502,
        f"{label} did not answer",
        f"{label} could not be reached to finish the connection. Nothing was stored; try "
        "again in a moment.",
        exc.kind,
    )


def refused(label: str, code: str) -> FlowError:
    """The platform refused to finish the connection with `code`; nothing stored."""
    return FlowError(
        "exchange",
        502,
        f"{label} refused the connection",
        f"{label} answered “{code}” while finishing the connection. Nothing was stored.",
        code,
    )


def _same_starter(flow: OAuthFlow) -> bool:
    if flow.user_id is None:
        return True
    return flow.user_id == _user_id() and flow.login_session_hash == _login_session_hash()


def _user_id() -> int | None:
    return current_user.id if current_user.is_authenticated else None


def _login_session_hash() -> str | None:
    token = getattr(current_user, "login_session_id", None) if _user_id() else None
    return hash_secret(token) if token else None
