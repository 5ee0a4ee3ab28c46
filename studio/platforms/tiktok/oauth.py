"""Login Kit flows: state bound to the browser and the sign-in, PKCE, single use.

Reusable by other rooms: `start_flow(purpose, scopes, redirect_endpoint, context)` returns the
consent URL; the callback view calls `finish_flow(purpose, request.args)` and gets the tokens
plus the flow row (with its `context`), or a `FlowError` to render.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from authlib.common.security import generate_token
from flask import current_app, session
from flask_login import current_user
from sqlalchemy import select, update

from studio import db, vault
from studio.db import rowcount, utcnow
from studio.platforms.tiktok import connection
from studio.platforms.tiktok.errors import (
    InvalidGrant,
    OAuthError,
    PlatformError,
    TransportError,
)
from studio.platforms.tiktok.models import OAuthFlow
from studio.platforms.tiktok.results import TokenSet, split_scopes
from studio.security import external_url

COOKIE_PREFIX = "tiktok_flow:"


class FlowError(Exception):
    """An authorization that cannot complete; carries what the error page shows."""

    def __init__(self, kind: str, status: int, title: str, message: str, error: str = "") -> None:
        super().__init__(message)
        self.kind = kind  # denied | state | expired | replayed | exchange
        self.status = status
        self.title = title
        self.message = message
        self.error = error
        self.flow: OAuthFlow | None = None


def hash_secret(value: str) -> str:
    """SHA-256 hex of a secret we only need to recognise later."""
    return hashlib.sha256(value.encode()).hexdigest()


def pkce_pair() -> tuple[str, str]:
    """A fresh verifier and TikTok's challenge for it: HEX SHA-256, not base64url."""
    verifier = generate_token(64)
    return verifier, hashlib.sha256(verifier.encode("ascii")).hexdigest()


def redirect_uri_for(endpoint: str) -> str:
    """The absolute callback URL, exactly as registered at TikTok.

    TIKTOK_REDIRECT_BASE (e.g. "https://studio.example.com") wins when set, else PUBLIC_URL;
    never the request's host. Production's PUBLIC_URL is https, which TikTok requires.
    """
    return external_url(endpoint, base=current_app.config.get("TIKTOK_REDIRECT_BASE"))


def start_flow(
    purpose: str,
    scopes: list[str],
    redirect_endpoint: str,
    context: Mapping[str, Any] | None = None,
    *,
    force_consent: bool = False,
) -> str:
    """Record a flow for this browser (and sign-in, if any) and return TikTok's consent URL."""
    state = secrets.token_urlsafe(32)
    verifier, challenge = pkce_pair()
    redirect_uri = redirect_uri_for(redirect_endpoint)
    now = utcnow()
    flow = OAuthFlow(
        public_id=secrets.token_urlsafe(24),
        state_hash=hash_secret(state),
        verifier_enc=vault.wrap(verifier),
        purpose=purpose,
        scopes=",".join(scopes),
        redirect_uri=redirect_uri,
        context=json.dumps(dict(context or {})),
        user_id=_user_id(),
        login_session_hash=_login_session_hash(),
        created_at=now,
        expires_at=now + dt.timedelta(seconds=int(current_app.config["TIKTOK_FLOW_TTL"])),
    )
    db.session.add(flow)
    db.session.commit()
    session[COOKIE_PREFIX + purpose] = flow.public_id
    extra = {"disable_auto_auth": "1"} if force_consent else None
    return connection.get_client().authorize_url(
        redirect_uri, scopes, state, challenge, extra=extra
    )


def finish_flow(purpose: str, args: Mapping[str, str]) -> tuple[TokenSet, OAuthFlow]:
    """Check the callback against its flow, use the flow up, and exchange the code.

    Raises FlowError for a denial, a missing/foreign/expired/replayed state or a failed code
    exchange; nothing is stored in those cases except the flow being marked used.
    """
    cookie = session.pop(COOKIE_PREFIX + purpose, None)
    flow = _claim(purpose, args.get("state") or "", cookie, denied=bool(args.get("error")))
    if args.get("error"):
        raise _denied(args.get("error", ""), args.get("error_description", ""), flow)
    code = args.get("code") or ""
    if not code:
        raise FlowError("exchange", 400, "No authorization code", "TikTok sent no code back.")
    verifier = vault.unwrap(flow.verifier_enc or "").decode() if flow.verifier_enc else ""
    _forget_verifier(flow)
    tokens = _exchange(connection.get_client(), code, verifier, flow)
    return _with_callback_scopes(tokens, args.get("scopes")), flow


def _exchange(client: Any, code: str, verifier: str, flow: OAuthFlow) -> TokenSet:
    """The code exchange; its audit entry is tied to the account when we already hold it.

    The answer names the open_id, so the entry must be erasable with that account. A new
    account's caller (connect) holds the exchanges itself until the row exists.
    """
    if connection.is_holding():
        try:
            return client.exchange_code(code, flow.redirect_uri, verifier)
        except PlatformError as exc:
            raise _exchange_failed(exc, flow) from exc
    with connection.holding_exchanges() as held:
        try:
            tokens = client.exchange_code(code, flow.redirect_uri, verifier)
        except PlatformError as exc:
            raise _exchange_failed(exc, flow) from exc
        known = connection.account_by_open_id(db.session, tokens.open_id)
        db.session.commit()
        connection.release_exchanges(held, known.id if known else None)
    return tokens


def flow_context(flow: OAuthFlow) -> dict[str, Any]:
    """The non-secret context given to start_flow."""
    try:
        value = json.loads(flow.context or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def purge_flows(before: dt.datetime) -> int:
    """Delete flows that expired before `before`; returns how many."""
    rows = db.session.scalars(select(OAuthFlow).where(OAuthFlow.expires_at < before)).all()
    for row in rows:
        db.session.delete(row)
    db.session.commit()
    return len(rows)


def _claim(purpose: str, state: str, cookie: str | None, denied: bool) -> OAuthFlow:
    """Find the flow for `state`, check who may finish it, and mark it used (atomically)."""
    if not state:
        if denied:
            raise _denied("access_denied", "", None)
        raise FlowError(
            "state", 400, "Sign-in link not recognised", "The answer from TikTok had no state."
        )
    flow = db.session.scalar(select(OAuthFlow).where(OAuthFlow.state_hash == hash_secret(state)))
    if (
        flow is None
        or flow.purpose != purpose
        or cookie != flow.public_id
        or not _same_starter(flow)
    ):
        raise FlowError(
            "state",
            400,
            "Sign-in link not recognised",
            "This answer from TikTok does not belong to a sign-in started in this browser "
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
    return flow


def _same_starter(flow: OAuthFlow) -> bool:
    if flow.user_id is None:
        return True
    return flow.user_id == _user_id() and flow.login_session_hash == _login_session_hash()


def _forget_verifier(flow: OAuthFlow) -> None:
    flow.verifier_enc = None
    db.session.commit()


def _denied(error: str, description: str, flow: OAuthFlow | None) -> FlowError:
    if error == "access_denied":
        # Pressing "Deny" is a choice, not a failure: say what it means, without an error code.
        exc = FlowError(
            "denied",
            200,
            "You cancelled",
            "You cancelled on TikTok's page, so nothing was connected or changed. You can try "
            "again whenever you like.",
            error,
        )
    else:
        exc = FlowError(
            "denied",
            400,
            "TikTok did not authorize",
            f"TikTok answered “{error}”"
            + (f": {description}" if description else ".")
            + " Nothing was connected.",
            error,
        )
    exc.flow = flow
    return exc


def _exchange_failed(exc: PlatformError, flow: OAuthFlow) -> FlowError:
    if isinstance(exc, InvalidGrant):
        error = FlowError(
            "exchange",
            400,
            "Authorization no longer valid",
            "TikTok refused the authorization code (expired or already used). Nothing was "
            "stored. Start again.",
            exc.error,
        )
    elif isinstance(exc, TransportError):
        error = FlowError(
            "exchange",
            504 if exc.kind == "timeout" else 502,
            "TikTok did not answer",
            "TikTok could not be reached to finish the connection. Nothing was stored; try "
            "again in a moment.",
            exc.kind,
        )
    else:
        code = exc.error if isinstance(exc, OAuthError) else getattr(exc, "code", "")
        error = FlowError(
            "exchange",
            502,
            "TikTok refused the connection",
            f"TikTok answered “{code}” while finishing the connection. Nothing was stored.",
            str(code),
        )
    error.flow = flow
    return error


def _with_callback_scopes(tokens: TokenSet, callback_scopes: str | None) -> TokenSet:
    """The token answer's `scope` is authoritative; the callback's `scopes` fills a gap."""
    if tokens.scope or not callback_scopes:
        return tokens
    return replace(tokens, scope=split_scopes(callback_scopes))


def _user_id() -> int | None:
    return current_user.id if current_user.is_authenticated else None


def _login_session_hash() -> str | None:
    token = getattr(current_user, "login_session_id", None) if _user_id() else None
    return hash_secret(token) if token else None
