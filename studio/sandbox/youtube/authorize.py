"""Validation and outcome of a Google authorization request (consent page and control API)."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from urllib.parse import urlencode

from studio.sandbox.authorize import PageError, RedirectError
from studio.sandbox.youtube.channels import by_key
from studio.sandbox.youtube.models import Code
from studio.sandbox.youtube.state import YouTubeState

CHALLENGE_RE = re.compile(r"^[A-Za-z0-9_-]{43}$")  # base64url(SHA-256), no padding
PROMPTS = {"none", "consent", "select_account"}
ISSUER = "https://accounts.google.com"
__all__ = ["PageError", "RedirectError", "AuthRequest", "approve", "error_url", "parse"]


@dataclass
class AuthRequest:
    """A validated authorization request."""

    client_id: str
    redirect_uri: str
    scopes: list[str]
    state: str
    access_type: str
    prompt: set[str]
    code_challenge: str | None

    def hidden_fields(self) -> dict[str, str]:
        """The request's parameters, echoed in the consent form."""
        return {
            "client_id": self.client_id,
            "redirect_uri": self.redirect_uri,
            "response_type": "code",
            "scope": " ".join(self.scopes),
            "state": self.state,
            "access_type": self.access_type,
            "prompt": " ".join(sorted(self.prompt)),
            "code_challenge": self.code_challenge or "",
            "code_challenge_method": "S256" if self.code_challenge else "",
        }


def parse(state: YouTubeState, params: dict[str, str]) -> AuthRequest:
    """Client, redirect URI and scopes fail as pages (PageError); the rest as RedirectError."""
    cfg = state.config
    if params.get("client_id") != cfg.client_id:
        raise PageError("Error 401: invalid_client. The OAuth client was not found.")
    if "client_secret" in params:
        raise PageError("Error 400: invalid_request. client_secret is never sent here.")
    redirect_uri = params.get("redirect_uri", "")
    if redirect_uri not in cfg.redirect_uris:
        raise PageError("Error 400: redirect_uri_mismatch. The redirect URI is not registered.")
    if params.get("response_type") != "code":
        raise PageError("Error 400: invalid_request. response_type must be code.")
    scopes = list(dict.fromkeys(params.get("scope", "").split()))
    if not scopes or any(s not in cfg.allowed_scopes for s in scopes):
        raise PageError("Error 400: invalid_scope. Scopes are space-separated, registered URLs.")
    access_type = params.get("access_type") or "online"
    prompt = set(params.get("prompt", "").split())
    if access_type not in ("online", "offline") or not prompt <= PROMPTS:
        raise PageError("Error 400: invalid_request. Bad access_type or prompt.")
    if "none" in prompt and len(prompt) > 1:
        raise PageError("Error 400: invalid_request. prompt=none must stand alone.")
    request = AuthRequest(
        cfg.client_id, redirect_uri, scopes, params.get("state", ""), access_type, prompt, None
    )
    if not request.state:  # optional for Google; strict: it is the CSRF defence
        raise RedirectError("invalid_request", "state is required (sandbox strict).")
    if "none" in prompt:  # the sandbox never approves silently
        raise RedirectError("consent_required", "User consent is required.")
    request.code_challenge = _challenge(state, params)
    return request


def _challenge(state: YouTubeState, params: dict[str, str]) -> str | None:
    """PKCE: S256 with a base64url challenge; `plain` and (strict) a missing one are refused."""
    challenge = params.get("code_challenge") or None
    method = params.get("code_challenge_method") or None
    if challenge is None and method is None:
        if state.config.require_pkce:
            raise RedirectError("invalid_request", "code_challenge is required (sandbox strict).")
        return None
    if method != "S256":
        raise RedirectError("invalid_request", "code_challenge_method must be S256.")
    if challenge is None or not CHALLENGE_RE.match(challenge):
        raise RedirectError("invalid_request", "code_challenge must be base64url SHA-256.")
    return challenge


def error_url(redirect_uri: str, error: str, state_value: str) -> str:
    """The callback URL for a failure (Google sends no error_description there)."""
    query = urlencode({"error": error, "state": state_value})
    return f"{redirect_uri}{'&' if '?' in redirect_uri else '?'}{query}"


def approve(
    state: YouTubeState, request: AuthRequest, channel_key: str, granted: list[str] | None = None
) -> str:
    """Issue a code for the demo account `channel_key`; return the callback URL."""
    channel = by_key(channel_key)
    if channel is None:
        raise RedirectError("invalid_request", "Unknown account.")
    keep = set(request.scopes) if granted is None else set(granted)
    scopes = [s for s in request.scopes if s in keep]  # granular consent: boxes may be unticked
    if not scopes:
        raise RedirectError("access_denied", "No scope was granted.")
    offline = request.access_type == "offline"
    with state.lock:
        earlier = state.offline.get(channel.key)
        # A refresh token comes with the first offline grant, with prompt=consent, or when new
        # scopes are added; a later plain sign-in gets none.
        issue_refresh = offline and (
            "consent" in request.prompt or earlier is None or not set(scopes) <= earlier
        )
        code = "4/0A" + secrets.token_urlsafe(54)
        state.codes[code] = Code(
            code,
            request.client_id,
            request.redirect_uri,
            scopes,
            channel.key,
            request.code_challenge,
            offline,
            issue_refresh,
            state.now() + state.config.code_ttl,
        )
        state.counters["codes_issued"] += 1
    query = {
        "state": request.state,
        "iss": ISSUER,
        "code": code,
        "scope": " ".join(scopes),
        "authuser": "0",
        "prompt": "consent",
    }
    sep = "&" if "?" in request.redirect_uri else "?"
    return f"{request.redirect_uri}{sep}{urlencode(query)}"
