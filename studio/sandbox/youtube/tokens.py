"""Token endpoint (code exchange, refresh), revocation and bearer-token checks."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from typing import Any
from urllib.parse import unquote

from studio.sandbox.youtube.channels import Channel, by_key
from studio.sandbox.youtube.errors import GoogleError, OAuthError
from studio.sandbox.youtube.models import Access, Grant
from studio.sandbox.youtube.state import YouTubeState

VERIFIER_RE = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")
DEAD = "Token has been expired or revoked."


def check_client(state: YouTubeState, form: dict[str, str], authorization: str | None) -> None:
    """client_id/client_secret in the form or in HTTP Basic; 401 invalid_client otherwise."""
    client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
    if authorization and authorization.startswith("Basic "):
        try:
            pair = base64.b64decode(authorization[6:]).decode()
        except (ValueError, UnicodeDecodeError):
            pair = ":"
        client_id, _, secret = (unquote(part) for part in pair.partition(":"))
    cfg = state.config
    if client_id != cfg.client_id:
        raise OAuthError("invalid_client", "The OAuth client was not found.", 401)
    if not secrets.compare_digest(secret.encode(), cfg.client_secret.encode()):
        raise OAuthError("invalid_client", "Unauthorized", 401)


def exchange_code(state: YouTubeState, form: dict[str, str]) -> dict[str, Any]:
    """grant_type=authorization_code: single use, exact redirect_uri, PKCE, then tokens."""
    with state.lock:
        code = state.codes.get(form.get("code", ""))
        if code is not None and code.used:
            _revoke_grant(state, code.grant_id)  # a replayed code kills what it produced
            state.counters["code_replays"] += 1
            raise OAuthError("invalid_grant", "Bad Request")
        if code is None or code.expires_at < state.now():
            raise OAuthError("invalid_grant", "Bad Request")
        if form.get("redirect_uri") != code.redirect_uri:
            raise OAuthError("redirect_uri_mismatch", "Bad Request")
        _check_verifier(code.challenge, form.get("code_verifier"))
        code.used = True
        grant = Grant(secrets.token_hex(8), code.channel, code.scopes, state.now())
        state.grants[grant.id] = grant
        code.grant_id = grant.id
        body = _access(state, grant)
        if code.issue_refresh:
            body["refresh_token"] = _new_refresh(state, grant)
            state.offline.setdefault(code.channel, set()).update(code.scopes)
        state.counters["codes_exchanged"] += 1
        return body


def _check_verifier(challenge: str | None, verifier: str | None) -> None:
    """RFC 7636 S256: base64url(sha256(verifier)) without padding."""
    if challenge is None:
        if verifier:
            raise OAuthError("invalid_request", "code_verifier sent without a code_challenge.")
        return
    if not verifier:
        raise OAuthError("invalid_grant", "Missing code verifier.")
    digest = hashlib.sha256(verifier.encode()).digest()
    expected = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    if not VERIFIER_RE.match(verifier) or not secrets.compare_digest(expected, challenge):
        raise OAuthError("invalid_grant", "Invalid code verifier.")


def refresh_tokens(state: YouTubeState, form: dict[str, str]) -> dict[str, Any]:
    """grant_type=refresh_token: a new access token; sometimes a new refresh token."""
    token = form.get("refresh_token", "")
    if not token:
        raise OAuthError("invalid_request", "Missing required parameter: refresh_token")
    cfg = state.config
    with state.lock:
        grant = state.grants.get(state.refresh.get(token, ""))
        if grant is None or grant.revoked:
            raise OAuthError("invalid_grant", DEAD)
        if cfg.testing_mode and state.now() >= grant.consented_at + cfg.testing_refresh_ttl:
            state.counters["testing_expired"] += 1
            raise OAuthError("invalid_grant", DEAD)
        grant.refreshes += 1
        state.counters["refreshes"] += 1
        body = _access(state, grant)
        if cfg.new_refresh_every and grant.refreshes % cfg.new_refresh_every == 0:
            if cfg.old_refresh_dies:
                del state.refresh[token]
            body["refresh_token"] = _new_refresh(state, grant)
        if cfg.testing_mode:
            left = grant.consented_at + cfg.testing_refresh_ttl - state.now()
            body["refresh_token_expires_in"] = int(left)
        return body


def _access(state: YouTubeState, grant: Grant) -> dict[str, Any]:
    """Mint an access token for the grant; the caller holds the lock."""
    token = "ya29.sbx" + secrets.token_urlsafe(48)
    ttl = state.config.access_ttl
    state.access[token] = Access(token, grant.id, state.now() + ttl)
    state.counters["access_tokens_issued"] += 1
    return {
        "access_token": token,
        "expires_in": ttl,
        "scope": " ".join(grant.scopes),
        "token_type": "Bearer",
    }


def _new_refresh(state: YouTubeState, grant: Grant) -> str:
    """Mint a refresh token for the grant; the caller holds the lock."""
    token = "1//0sbx" + secrets.token_urlsafe(48)
    state.refresh[token] = grant.id
    state.counters["refresh_tokens_issued"] += 1
    return token


def _revoke_grant(state: YouTubeState, grant_id: str | None) -> None:
    """End a grant: its access and refresh tokens die; the caller holds the lock."""
    grant = state.grants.get(grant_id or "")
    if grant is None:
        return
    grant.revoked = True
    for token in [t for t, g in state.refresh.items() if g == grant.id]:
        del state.refresh[token]


def revoke(state: YouTubeState, token: str) -> None:
    """An access or a refresh token ends the whole grant; the account's offline consent too."""
    with state.lock:
        grant_id = state.refresh.get(token)
        access = state.access.get(token)
        if grant_id is None and access is not None and access.expires_at > state.now():
            grant_id = access.grant_id
        grant = state.grants.get(grant_id or "")
        if grant is None or grant.revoked:
            raise OAuthError("invalid_token", "Token expired or revoked")
        _revoke_grant(state, grant.id)
        state.offline.pop(grant.channel, None)
        state.counters["revokes"] += 1


def expire_access_tokens(state: YouTubeState) -> int:
    """Every access token issued so far expires now; how many."""
    with state.lock:
        for access in state.access.values():
            access.expires_at = state.now()
        return len(state.access)


def authenticate(state: YouTubeState, header: str | None, scopes: tuple[str, ...]) -> Channel:
    """The account behind `Authorization: Bearer`, holding one of `scopes`; 401/403 otherwise."""
    invalid = GoogleError(
        401,
        "authError",
        "Invalid Credentials",
        "global",
        "Authorization",
        "header",
    )
    if not header or not header.startswith("Bearer "):
        raise invalid
    with state.lock:
        access = state.access.get(header[len("Bearer ") :].strip())
        grant = state.grants.get(access.grant_id) if access else None
        if access is None or grant is None or grant.revoked or access.expires_at <= state.now():
            raise invalid
        if not set(scopes) & set(grant.scopes):
            raise GoogleError(403, "insufficientPermissions", "Insufficient Permission")
        channel = by_key(grant.channel)
    assert channel is not None
    return channel
