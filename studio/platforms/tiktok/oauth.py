"""Login Kit flows: state bound to the browser and the sign-in, PKCE, single use.

Reusable by other rooms: `start_flow(purpose, scopes, redirect_endpoint, context)` returns the
consent URL; the callback view calls `finish_flow(purpose, request.args)` and gets the tokens
plus the flow row (with its `context`), or a `FlowError` to render.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from flask import current_app

from studio import db
from studio.platforms.models import OAuthFlow
from studio.platforms.oauth import (
    FlowError,
    begin,
    claim,
    code_refused,
    cookie_key,
    flow_context,
    hash_secret,
    new_verifier,
    purge_flows,
    refused,
    take_verifier,
    unreachable,
)
from studio.platforms.tiktok import connection
from studio.platforms.tiktok.errors import (
    InvalidGrant,
    OAuthError,
    PlatformError,
    TransportError,
)
from studio.platforms.tiktok.results import TokenSet, split_scopes
from studio.security import external_url

PLATFORM = "tiktok"
LABEL = "TikTok"
COOKIE_PREFIX = cookie_key(PLATFORM, "")  # "tiktok_flow:"

__all__ = ["FlowError", "finish_flow", "flow_context", "hash_secret", "purge_flows", "start_flow"]


def hex_challenge(verifier: str) -> str:
    """TikTok's PKCE challenge: HEX SHA-256 of the verifier, not base64url."""
    return hashlib.sha256(verifier.encode("ascii")).hexdigest()


def pkce_pair() -> tuple[str, str]:
    """A fresh verifier and TikTok's challenge for it."""
    verifier = new_verifier()
    return verifier, hex_challenge(verifier)


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
    redirect_uri = redirect_uri_for(redirect_endpoint)
    ttl = int(current_app.config["TIKTOK_FLOW_TTL"])
    verifier, challenge = pkce_pair()
    state = begin(PLATFORM, purpose, scopes, redirect_uri, ttl, verifier, context)
    extra = {"disable_auto_auth": "1"} if force_consent else None
    return connection.get_client().authorize_url(
        redirect_uri, scopes, state, challenge, extra=extra
    )


def finish_flow(purpose: str, args: Mapping[str, str]) -> tuple[TokenSet, OAuthFlow]:
    """Check the callback against its flow, use the flow up, and exchange the code.

    Raises FlowError for a denial, a missing/foreign/expired/replayed state or a failed code
    exchange; nothing is stored in those cases except the flow being marked used.
    """
    flow = claim(PLATFORM, LABEL, purpose, args)
    code = args.get("code") or ""
    if not code:
        raise FlowError("exchange", 400, "No authorization code", "TikTok sent no code back.")
    verifier = take_verifier(flow)
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


def _exchange_failed(exc: PlatformError, flow: OAuthFlow) -> FlowError:
    if isinstance(exc, InvalidGrant):
        error = code_refused("TikTok", exc.error)
    elif isinstance(exc, TransportError):
        error = unreachable("TikTok", exc)
    else:
        code = exc.error if isinstance(exc, OAuthError) else getattr(exc, "code", "")
        error = refused("TikTok", str(code))
    error.flow = flow
    return error


def _with_callback_scopes(tokens: TokenSet, callback_scopes: str | None) -> TokenSet:
    """The token answer's `scope` is authoritative; the callback's `scopes` fills a gap."""
    if tokens.scope or not callback_scopes:
        return tokens
    return replace(tokens, scope=split_scopes(callback_scopes))
