"""Builders for the YouTube client tests: consent through the sandbox's page, details, files."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlsplit

import requests

from studio.platforms.youtube.client import YouTubeClient
from studio.platforms.youtube.results import TokenSet
from studio.platforms.youtube.rules import VideoMetadata
from tests.sandbox.youtube.support import REDIRECT, SCOPES, VERIFIER, challenge

SCOPE_LIST = SCOPES.split()
UNIT = 256 * 1024


def consent(
    http: requests.Session, url: str, channel: str = "brand", granted: list[str] | None = None
) -> dict[str, str]:
    """Submit the consent page behind `url` as a browser would (allow); the callback's query."""
    page = http.get(url, allow_redirects=False)
    assert page.status_code == 200, page.text
    form: dict[str, Any] = dict(parse_qsl(urlsplit(url).query))
    form |= {"decision": "allow", "channel": channel, "granted": granted or SCOPE_LIST}
    answer = http.post(url.split("?")[0], data=form, allow_redirects=False)
    assert answer.status_code in (302, 303), answer.text
    return {k: v[0] for k, v in parse_qs(urlsplit(answer.headers["Location"]).query).items()}


def connect(
    client: YouTubeClient, http: requests.Session, channel: str = "brand", **kwargs: Any
) -> TokenSet:
    """Consent with the client's own authorize URL, then exchange the code."""
    url = client.authorize_url(REDIRECT, SCOPE_LIST, "st-1", challenge(), **kwargs)
    code = consent(http, url, channel)["code"]
    return client.exchange_code(code, REDIRECT, VERIFIER)


def details(**changes: Any) -> VideoMetadata:
    """Valid video details; keyword arguments override fields."""
    fields: dict[str, Any] = {
        "title": "Product video",
        "description": "Our new lamp, in 30 seconds.",
        "tags": ("lamp", "design"),
        "category_id": "22",
        "privacy_status": "unlisted",
        "made_for_kids": False,
        "synthetic_media": False,
        "paid_product_placement": False,
        "notify_subscribers": False,
    }
    return VideoMetadata(**(fields | changes))


def video_file(folder: Path, size: int, name: str = "clip.mp4") -> Path:
    """A file of random bytes (the sandbox does not decode video)."""
    path = folder / name
    with open(path, "wb") as fh:
        left = size
        while left:
            block = os.urandom(min(left, 1 << 20))
            fh.write(block)
            left -= len(block)
    return path
