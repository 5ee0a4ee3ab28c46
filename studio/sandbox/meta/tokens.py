"""Codes and tokens: login codes, code → short-lived, fb_exchange_token → long-lived, Pages."""

from __future__ import annotations

import secrets
import time

from studio.sandbox.meta.errors import GraphError
from studio.sandbox.meta.models import Code, Grant, Token
from studio.sandbox.meta.people import Person
from studio.sandbox.meta.state import MetaState


def _token_value(prefix: str) -> str:
    """An opaque token shaped like Meta's (`EAA…`)."""
    return prefix + secrets.token_urlsafe(48).replace("-", "A").replace("_", "B")


def issue_code(state: MetaState, person: Person, redirect_uri: str, scopes: list[str]) -> str:
    """A single-use login code for `person`."""
    code = "AQ" + secrets.token_urlsafe(60)
    with state.lock:
        expires = time.time() + state.config.code_ttl
        state.codes[code] = Code(code, person.key, redirect_uri, scopes, expires)
        state.counters["codes_issued"] += 1
    return code


def _new_token(
    state: MetaState, kind: str, grant: Grant, ttl: float | None, **extra: str | None
) -> Token:
    value = _token_value("EAAPage" if kind == "page" else "EAAUser")
    expires = None if ttl is None else time.time() + ttl
    token = Token(value, kind, grant.id, grant.person, expires, **extra)  # type: ignore[arg-type]
    with state.lock:
        state.tokens[value] = token
        state.counters[f"tokens_{kind}"] += 1
    return token


def exchange_code(state: MetaState, code: str, redirect_uri: str) -> Token:
    """Code → short-lived user token (codes are single use, bound to their redirect_uri)."""
    with state.lock:
        found = state.codes.get(code)
        if found is None:
            raise GraphError(100, "Invalid verification code format.", subcode=36000)
        if found.used:
            raise GraphError(100, "This authorization code has been used.", subcode=36009)
        if time.time() >= found.expires_at:
            raise GraphError(100, "This authorization code has expired.", subcode=36007)
        if found.redirect_uri != redirect_uri:
            raise GraphError(
                100,
                "Error validating verification code. Please make sure your redirect_uri is "
                "identical to the one you used in the OAuth dialog request",
                subcode=36008,
            )
        found.used = True
        grant = next(
            (g for g in state.grants.values() if g.person == found.person and not g.revoked),
            None,
        )
        if grant is None:
            grant = Grant(len(state.grants) + 1, found.person, list(found.scopes))
            state.grants[grant.id] = grant
        else:
            grant.scopes = list(dict.fromkeys(grant.scopes + found.scopes))
    return _new_token(state, "short", grant, state.config.short_ttl)


def exchange_long(state: MetaState, old: Token) -> Token:
    """fb_exchange_token: a live user token → a long-lived one (~60 days)."""
    with state.lock:
        grant = state.grants[old.grant_id]
        if state.config.revoke_on_exchange:
            old.revoked = True
    return _new_token(state, "long", grant, state.config.long_ttl)


def page_token(state: MetaState, user: Token, page_id: str) -> Token:
    """The Page token for `page_id` obtained with `user` (never expires for a long-lived one)."""
    with state.lock:
        for token in state.tokens.values():
            if token.kind == "page" and token.parent == user.token and token.page_id == page_id:
                return token
        grant = state.grants[user.grant_id]
    if user.kind == "long" or user.expires_at is None:
        ttl = None
    else:
        ttl = max(user.expires_at - time.time(), 0.0)
    return _new_token(state, "page", grant, ttl, page_id=page_id, parent=user.token)


def revoke_grant(state: MetaState, grant_id: int) -> None:
    """The app's authorization ends: every token of the grant fails with 190/458."""
    with state.lock:
        grant = state.grants.get(grant_id)
        if grant is not None:
            grant.revoked = True
            state.counters["grants_revoked"] += 1


def grant_of(state: MetaState, person_key: str) -> Grant | None:
    """The person's live grant, if any."""
    with state.lock:
        return next(
            (g for g in state.grants.values() if g.person == person_key and not g.revoked), None
        )


def expire_all(state: MetaState) -> int:
    """Every token issued so far expires now (tokens issued later live their full TTL)."""
    now = time.time()
    with state.lock:
        for token in state.tokens.values():
            token.expires_at = now - 1
        return len(state.tokens)
