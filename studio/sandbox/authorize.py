"""Validation and outcome of an authorization request (shared by the page and control API)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlencode

from studio.sandbox.creators import by_id
from studio.sandbox.state import SandboxState
from studio.sandbox.tokens import issue_code

KNOWN_SCOPES = (
    "user.info.basic",
    "user.info.profile",
    "user.info.stats",
    "video.upload",
    "video.publish",
    "video.list",
)
REQUIRED_SCOPES = frozenset({"user.info.basic"})
CHALLENGE_RE = re.compile(r"^[0-9a-fA-F]{64}$")


class PageError(Exception):
    """A problem that must be shown as an error page, never redirected (bad client/URI)."""


class RedirectError(Exception):
    """A problem reported back to the client via `redirect_uri?error=…`."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.error = error
        self.description = description


@dataclass
class AuthRequest:
    """A validated authorization request."""

    client_key: str
    redirect_uri: str
    scopes: list[str]
    state: str
    code_challenge: str | None
    code_challenge_method: str | None

    def hidden_fields(self) -> dict[str, str]:
        """The request's parameters, echoed in the consent form."""
        return {
            "client_key": self.client_key,
            "redirect_uri": self.redirect_uri,
            "response_type": "code",
            "scope": ",".join(self.scopes),
            "state": self.state,
            "code_challenge": self.code_challenge or "",
            "code_challenge_method": self.code_challenge_method or "",
        }


def parse(state: SandboxState, params: dict[str, str]) -> AuthRequest:
    """Check client and redirect URI (PageError), then the rest (RedirectError)."""
    cfg = state.config
    if params.get("client_key") != cfg.client_key:
        raise PageError("Unknown client_key.")
    redirect_uri = params.get("redirect_uri", "")
    if redirect_uri not in cfg.redirect_uris:
        raise PageError("redirect_uri is not registered for this client.")
    request = AuthRequest(
        cfg.client_key,
        redirect_uri,
        [],
        params.get("state", ""),
        params.get("code_challenge") or None,
        params.get("code_challenge_method") or None,
    )
    if params.get("response_type") != "code":
        raise RedirectError("unsupported_response_type", "response_type must be code.")
    scopes = [s.strip() for s in params.get("scope", "").split(",") if s.strip()]
    if not scopes or any(s not in KNOWN_SCOPES for s in scopes):
        raise RedirectError("invalid_scope", "The scope is missing or unknown.")
    request.scopes = list(dict.fromkeys(scopes))
    # Unverified whether TikTok requires state; strict: it is the CSRF token, so require it.
    if not request.state:
        raise RedirectError("invalid_request", "state is required.")
    _check_pkce(request)
    return request


def _check_pkce(request: AuthRequest) -> None:
    """Optional PKCE on web, but if present it must be S256 with a hex challenge."""
    if request.code_challenge is None and request.code_challenge_method is None:
        return
    if request.code_challenge_method != "S256":
        raise RedirectError("invalid_request", "code_challenge_method must be S256.")
    if not request.code_challenge or not CHALLENGE_RE.match(request.code_challenge):
        raise RedirectError("invalid_request", "code_challenge must be hex SHA-256.")


def error_url(redirect_uri: str, error: str, description: str, state_value: str) -> str:
    """The callback URL for a failure."""
    query = urlencode({"error": error, "error_description": description, "state": state_value})
    return f"{redirect_uri}{'&' if '?' in redirect_uri else '?'}{query}"


def approve(
    state: SandboxState, request: AuthRequest, creator_id: str, granted: list[str] | None = None
) -> str:
    """Issue a code for `creator_id` and return the callback URL."""
    creator = by_id(creator_id)
    if creator is None:
        raise RedirectError("invalid_request", "Unknown creator.")
    keep = set(request.scopes) if granted is None else set(granted) | REQUIRED_SCOPES
    scopes = [s for s in request.scopes if s in keep]
    code = issue_code(state, request.redirect_uri, scopes, creator.open_id, request.code_challenge)
    query = urlencode({"code": code, "scopes": ",".join(scopes), "state": request.state})
    return f"{request.redirect_uri}{'&' if '?' in request.redirect_uri else '?'}{query}"
