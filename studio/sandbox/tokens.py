"""Authorization codes, grants and token issuing, rotation, revocation and checking."""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from typing import Any

from studio.sandbox import lifecycle
from studio.sandbox.errors import ApiError, OAuthError
from studio.sandbox.ids import auth_code, bearer
from studio.sandbox.models import AccessToken, AuthCode, Grant
from studio.sandbox.state import SandboxState

VERIFIER_RE = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")


def issue_code(
    state: SandboxState, redirect_uri: str, scopes: list[str], open_id: str, challenge: str | None
) -> str:
    """Store a single-use authorization code and return it (raw, not URL-encoded)."""
    code = auth_code()
    with state.lock:
        state.codes[code] = AuthCode(
            code,
            redirect_uri,
            scopes,
            open_id,
            challenge.lower() if challenge else None,
            time.time() + state.config.code_ttl,
        )
        state.counters["codes_issued"] += 1
    return code


def check_client(state: SandboxState, form: dict[str, str]) -> None:
    """Reject a wrong client_key or client_secret."""
    cfg = state.config
    if form.get("client_key") != cfg.client_key:
        raise OAuthError("invalid_client", "Client key is invalid.")
    secret = form.get("client_secret", "").encode()
    if not secrets.compare_digest(secret, cfg.client_secret.encode()):
        raise OAuthError("invalid_client", "Client secret is invalid.")


def exchange_code(state: SandboxState, form: dict[str, str]) -> dict[str, Any]:
    """grant_type=authorization_code: validate everything, then issue a token pair."""
    code_value = form.get("code", "")
    if not code_value:
        raise OAuthError("invalid_request", "Missing code.")
    with state.lock:
        code = state.codes.get(code_value)
        if code is not None and code.used:
            # Replay: like RFC 6749 §4.1.2 servers, revoke what the code produced.
            revoke_grant(state, code.grant_id)
            state.counters["code_replays"] += 1
            raise OAuthError("invalid_grant", "Authorization code has already been used.")
        if code is None or code.expires_at < time.time():
            raise OAuthError("invalid_grant", "Authorization code is expired or invalid.")
        if form.get("redirect_uri") != code.redirect_uri:
            raise OAuthError(
                "invalid_request", "Redirect_uri is not matched with the uri when requesting code."
            )
        _check_verifier(code, form.get("code_verifier"))
        code.used = True
        grant = Grant(
            secrets.token_hex(8),
            code.open_id,
            code.scopes,
            time.time() + state.config.effective_refresh_ttl,
        )
        state.grants[grant.id] = grant
        code.grant_id = grant.id
        return _issue_pair(state, grant, None)


def _check_verifier(code: AuthCode, verifier: str | None) -> None:
    """PKCE with TikTok's hex SHA-256 challenge."""
    if code.challenge is None:
        if verifier:
            # Unverified: TikTok may ignore a stray verifier. Strict: reject it.
            raise OAuthError("invalid_request", "code_verifier sent but no code_challenge used.")
        return
    if not verifier or not VERIFIER_RE.match(verifier):
        raise OAuthError("invalid_request", "code_verifier is missing or malformed.")
    if hashlib.sha256(verifier.encode()).hexdigest() != code.challenge:
        raise OAuthError("invalid_grant", "code_verifier does not match code_challenge.")


def refresh_tokens(state: SandboxState, form: dict[str, str]) -> dict[str, Any]:
    """grant_type=refresh_token with strict rotation (legacy profile may reuse the token)."""
    token = form.get("refresh_token", "")
    if not token:
        raise OAuthError("invalid_request", "Missing refresh_token.")
    with state.lock:
        grant = state.grants.get(state.refresh.get(token, ""))
        if grant is None or grant.revoked or grant.refresh_expires_at < time.time():
            raise OAuthError("invalid_grant", "Refresh token is invalid or expired.")
        state.counters["refreshes"] += 1
        if state.config.revoke_access_on_refresh:
            for access in state.access.values():
                if access.grant_id == grant.id:
                    access.revoked = True
        return _issue_pair(state, grant, token)


def _issue_pair(state: SandboxState, grant: Grant, old_refresh: str | None) -> dict[str, Any]:
    """Mint an access token (and rotate the refresh token); caller holds the lock."""
    cfg, now = state.config, time.time()
    access = AccessToken(bearer("act"), grant.id, now, now + cfg.effective_access_ttl)
    state.access[access.token] = access
    if old_refresh and cfg.legacy_profile:
        refresh = old_refresh
    else:
        if old_refresh:
            del state.refresh[old_refresh]
        refresh = bearer("rft")
        state.refresh[refresh] = grant.id
    state.counters["tokens_issued"] += 1
    return {
        "access_token": access.token,
        "expires_in": cfg.effective_access_ttl,
        "open_id": grant.open_id,
        "refresh_expires_in": max(int(grant.refresh_expires_at - now), 0),
        "refresh_token": refresh,
        "scope": ",".join(grant.scopes),
        "token_type": "Bearer",
    }


def revoke_grant(state: SandboxState, grant_id: str | None) -> Grant | None:
    """Invalidate a grant's access and refresh tokens."""
    with state.lock:
        grant = state.grants.get(grant_id or "")
        if grant is None:
            return None
        grant.revoked = True
        for access in state.access.values():
            if access.grant_id == grant.id:
                access.revoked = True
        for token in [t for t, g in state.refresh.items() if g == grant.id]:
            del state.refresh[token]
        return grant


def revoke_access_token(state: SandboxState, token: str) -> Grant:
    """The /oauth/revoke/ endpoint: the access token may be expired but must be known.

    TikTok: revoking "disconnects your app from the user's TikTok account", so every grant the
    user gave this app ends, not only the one behind this token (a second consent, say to
    verify a deletion request, does not make a second connection that survives).
    """
    with state.lock:
        access = state.access.get(token)
        grant = state.grants.get(access.grant_id) if access else None
        if access is None or grant is None or grant.revoked:
            raise OAuthError("invalid_request", "Access token is invalid or already revoked.")
        for other in list(state.grants.values()):
            if other.open_id == grant.open_id and not other.revoked:
                revoke_grant(state, other.id)
        state.counters["revokes"] += 1
        return grant


def expire_access_tokens(state: SandboxState) -> int:
    """Every access token issued so far expires now (refresh tokens live on); how many."""
    with state.lock:
        tokens = list(state.access.values())
        for token in tokens:
            token.expires_at = time.time()
    return len(tokens)


def authenticate(state: SandboxState, header: str | None) -> tuple[Grant, AccessToken]:
    """Resolve `Authorization: Bearer …` or raise 401 access_token_invalid."""
    if not header or not header.startswith("Bearer "):
        raise ApiError("access_token_invalid", "The access token is invalid or not found.", 401)
    now = time.time()
    with state.lock:
        access = state.access.get(header[len("Bearer ") :].strip())
        grant = state.grants.get(access.grant_id) if access else None
        max_age = state.config.access_token_max_age
        if (
            access is None
            or grant is None
            or access.revoked
            or grant.revoked
            or access.expires_at <= now
            or (max_age is not None and now - access.issued_at > max_age)
        ):
            raise ApiError(
                "access_token_invalid",
                "The access token is invalid or not found in the request.",
                401,
            )
        return grant, access


def remove_user(state: SandboxState, open_id: str, reason: int) -> int:
    """Revoke every grant of a user, fail their in-flight publishes, send the webhook."""
    with state.lock:
        grants = [g for g in state.grants.values() if g.open_id == open_id and not g.revoked]
        for grant in grants:
            revoke_grant(state, grant.id)
        pending = [
            p.publish_id
            for p in state.publishes.values()
            if p.open_id == open_id and p.status.startswith("PROCESSING_")
        ]
    for publish_id in pending:
        lifecycle.fail(state, publish_id, "auth_removed")
    state.send_webhook("authorization.removed", open_id, {"reason": reason})
    return len(grants)
