"""Builders for the Meta client tests: login through the sandbox's dialog, tokens, files."""

from __future__ import annotations

from urllib.parse import parse_qs, parse_qsl, urlsplit

import requests

from studio.platforms.meta.client import MetaClient
from studio.platforms.meta.results import Page
from studio.sandbox.server import SandboxServer
from tests.platforms.youtube.support import video_file
from tests.sandbox.meta.support import IG_ID, PAGE_ID, REDIRECT, SCOPES, VERSION

__all__ = ["IG_ID", "PAGE_ID", "REDIRECT", "VERSION", "video_file"]
SCOPE_LIST = SCOPES.split(",")


def dialog(http: requests.Session, url: str, person: str = "dana") -> dict[str, str]:
    """Submit the login dialog behind `url` as a browser would (Continue); the callback query."""
    page = http.get(url, allow_redirects=False)
    assert page.status_code == 200, page.text
    form = dict(parse_qsl(urlsplit(url).query)) | {"person": person, "decision": "allow"}
    answer = http.post(url.split("?")[0], data=form, allow_redirects=False)
    assert answer.status_code == 302, answer.text
    query = urlsplit(answer.headers["Location"]).query
    return {k: v[0] for k, v in parse_qs(query).items()}


def login(client: MetaClient, http: requests.Session, person: str = "dana") -> str:
    """The dialog with the client's own URL, the code exchange, then the long-lived token."""
    code = dialog(http, client.authorize_url(REDIRECT, SCOPE_LIST, "st-1"), person)["code"]
    short = client.exchange_code(code, REDIRECT)
    return client.long_lived(short.access_token).access_token


def acme_page(client: MetaClient, user_token: str) -> Page:
    """Dana's Page "Acme Studio" (linked to the IG account acme.studio)."""
    return next(p for p in client.pages(user_token) if p.id == PAGE_ID)


def leaked_tokens(server: SandboxServer, texts: list[str]) -> list[str]:
    """Every token the sandbox issued that appears in one of `texts` (first characters)."""
    with server.meta.state.lock:
        issued = list(server.meta.state.tokens)
    return sorted(t[:10] for t in issued if any(t in text for text in texts))
