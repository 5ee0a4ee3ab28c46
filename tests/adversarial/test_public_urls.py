"""Outside production (no TRUSTED_HOSTS), a hostile Host header must still never reach a link."""

from __future__ import annotations

import base64
import email
import hashlib
import hmac
import json
import re
import time
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.helpers import ADMIN_PASSWORD, csrf_token
from tests.privacy.conftest import LOOSE_LIMITS

SITE = "https://studio.example.com"
EVIL = "http://evil.example"
META_SECRET = "meta-app-secret-for-tests"
URL = re.compile(r"https?://[^\s\"'<>]+")
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def app(make_sandbox_app) -> Flask:
    return make_sandbox_app(
        PUBLIC_URL=SITE, META_APP_SECRET=META_SECRET, META_ENABLED=True, **LOOSE_LIMITS
    )


@pytest.fixture
def evil(app: Flask) -> FlaskClient:
    """A client whose every request says ``Host: evil.example`` (and forwards it too)."""
    client = app.test_client()
    original = client.open

    def open_(*args, **kwargs):
        kwargs.setdefault("base_url", EVIL)
        headers = dict(kwargs.pop("headers", None) or {})
        headers.setdefault("X-Forwarded-Host", "evil.example")
        return original(*args, headers=headers, **kwargs)

    client.open = open_  # type: ignore[method-assign]
    return client


def _file(client: FlaskClient, **data: str):
    token = csrf_token(client, "/data-deletion")
    return client.post("/data-deletion", data={"csrf_token": token, **data})


def test_mailed_links_come_from_public_url(app, evil) -> None:
    assert _file(evil, kind="email", email="owner@example.org").status_code == 303
    (path,) = Path(app.instance_path, "outbox").glob("*.eml")
    body = email.message_from_bytes(path.read_bytes()).get_payload(decode=True).decode()
    links = URL.findall(body)
    assert len(links) == 2 and all(link.startswith(SITE + "/") for link in links), links


def test_the_received_and_status_pages_link_to_public_url(evil) -> None:
    _file(evil, kind="tiktok", name="Acme Studio")
    page = evil.get("/data-deletion/received").get_data(as_text=True)
    status = [u for u in URL.findall(page) if "/data-deletion/status/" in u]
    assert status and all(u.startswith(SITE + "/") for u in status), status
    assert "evil.example" not in page


def _signed_request() -> str:
    def enc(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    now = int(time.time())
    payload = enc(
        json.dumps(
            {"algorithm": "HMAC-SHA256", "issued_at": now, "expires": now + 60, "user_id": "77"}
        ).encode()
    )
    sig = hmac.new(META_SECRET.encode(), payload.encode(), hashlib.sha256).digest()
    return enc(sig) + "." + payload


def test_the_meta_callback_reply_points_at_public_url(evil) -> None:
    answer = evil.post("/webhooks/meta/data-deletion", data={"signed_request": _signed_request()})
    assert answer.status_code == 200
    assert answer.get_json()["url"].startswith(f"{SITE}/data-deletion/status/")


def test_oauth_redirect_uris_come_from_public_url(app, evil, users) -> None:
    token = csrf_token(evil, "/auth/login")
    evil.post(
        "/auth/login",
        data={"email": "admin@example.com", "password": ADMIN_PASSWORD, "csrf_token": token},
    )
    started = evil.post("/tiktok/connect", data={"csrf_token": csrf_token(evil, "/tiktok/")})
    query = dict(parse_qsl(urlsplit(started.headers["Location"]).query))
    assert query["redirect_uri"] == f"{SITE}/tiktok/callback"
    _file(evil, kind="tiktok", name="Acme Studio")
    verify = evil.post("/data-deletion/verify", data={"csrf_token": csrf_token(evil, "/revoke")})
    query = dict(parse_qsl(urlsplit(verify.headers["Location"]).query))
    assert query["redirect_uri"] == f"{SITE}/privacy/verify/callback"


def test_media_urls_come_from_their_configured_base(app) -> None:
    from studio.posts.media import public_url

    app.config["PUBLIC_MEDIA_BASE"] = "https://media.example.com/studio/"
    with app.test_request_context("/", base_url=EVIL):
        url = public_url(7, "ab" * 32)
    assert url.startswith("https://media.example.com/studio/media/"), url


def test_no_code_builds_an_absolute_url_from_the_request() -> None:
    """The class: absolute URLs come from studio.security.external_url only."""
    pattern = re.compile(r"(?<!force)_external\s*=\s*True|request\.(host_url|url_root|base_url)")
    found = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in (ROOT / "studio").rglob("*.py")
        if "sandbox" not in path.parts  # the sandbox is TikTok's stand-in, not our app
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if pattern.search(line)
    ]
    assert found == []
