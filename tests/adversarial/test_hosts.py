"""Host-header attacks in the production configuration, and CRLF in values that reach headers."""

from __future__ import annotations

import email
import re
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from studio.privacy.models import DeletionRequest
from tests.adversarial.conftest import count
from tests.helpers import ADMIN_PASSWORD, csrf_token

SITE = "https://studio.example.com"
REFUSED = b"Bad request: this host name is not served here."
HOSTILE_HOSTS = [
    "evil.example",
    "evil.example:443",
    "studio.example.com.evil.example",
    "studio.example.com@evil.example",
    "evil.example#studio.example.com",
    "studio.example.com:443:evil.example",
    "localhost",
    "127.0.0.1",
    "",
]


class SiteClient(FlaskClient):
    """A test client whose requests go to the public https site unless told otherwise."""

    def open(self, *args, **kwargs):  # type: ignore[override]
        if not args or isinstance(args[0], str):
            kwargs.setdefault("base_url", SITE)
        return super().open(*args, **kwargs)


def _production(make_app, **extra: object) -> Flask:
    app = make_app(
        ENV="production",
        TRUSTED_HOSTS=["studio.example.com"],
        TIKTOK_CLIENT_SECRET="a-real-client-secret-for-production",
        PUBLIC_FORM_RATE_LIMIT="100 per minute",
        PUBLIC_URL=SITE,
        **extra,
    )
    app.test_client_class = SiteClient
    return app


def _file_by_email(client: FlaskClient, **kw):
    token = csrf_token(client, "/data-deletion")
    return client.post(
        "/data-deletion",
        data={"csrf_token": token, "kind": "email", "email": "owner@example.org"},
        headers={"Referer": f"{SITE}/data-deletion", **kw.pop("headers", {})},
        **kw,
    )


def _outbox_links(app: Flask) -> list[str]:
    links = []
    for path in sorted(Path(app.instance_path, "outbox").glob("*.eml")):
        body = email.message_from_bytes(path.read_bytes()).get_payload(decode=True).decode()
        links += re.findall(r"https?://\S+", body)
    return links


@pytest.mark.parametrize("host", HOSTILE_HOSTS)
def test_untrusted_host_is_refused_before_anything_runs(make_app, host: str) -> None:
    app = _production(make_app)
    client = app.test_client()
    page = client.get("/", headers={"Host": host})
    assert page.status_code == 400
    assert page.data == REFUSED
    post = client.post(
        "/data-deletion",
        headers={"Host": host, "Referer": f"{SITE}/data-deletion"},
        data={
            "csrf_token": csrf_token(client, "/data-deletion"),
            "kind": "email",
            "email": "o@x.org",
        },
    )
    assert post.status_code == 400 and post.data == REFUSED
    assert count(app, DeletionRequest) == 0
    assert not Path(app.instance_path, "outbox").exists()


def test_mailed_links_use_the_trusted_host_whatever_the_forwarding_headers(make_app) -> None:
    app = _production(make_app)
    client = app.test_client()
    answer = _file_by_email(
        client, headers={"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "http"}
    )
    assert answer.status_code == 303
    links = _outbox_links(app)
    assert all(link.startswith(f"{SITE}/") for link in links), links
    assert any(link.startswith(f"{SITE}/data-deletion/email/") for link in links)


def test_a_forwarded_host_behind_a_proxy_must_be_trusted_too(make_app) -> None:
    app = _production(make_app, PROXY_FIX_X_HOST=1, PROXY_FIX_X_PROTO=1)
    client = app.test_client()
    refused = client.get("/", headers={"X-Forwarded-Host": "evil.example"})
    assert refused.status_code == 400 and refused.data == REFUSED
    assert count(app, DeletionRequest) == 0


def test_the_oauth_callback_url_never_follows_the_request_host(make_app, users) -> None:
    app = _production(make_app, TIKTOK_AUTH_URL="https://www.tiktok.com/v2/auth/authorize/")
    client = app.test_client()
    signed_in = client.post(
        "/auth/login",
        data={
            "email": "admin@example.com",
            "password": ADMIN_PASSWORD,
            "csrf_token": csrf_token(client, "/auth/login"),
        },
        headers={"Referer": f"{SITE}/auth/login"},
    )
    assert signed_in.status_code == 302
    token = csrf_token(client, "/tiktok/")
    started = client.post(
        "/tiktok/connect",
        data={"csrf_token": token},
        headers={"Referer": f"{SITE}/tiktok/", "X-Forwarded-Host": "evil.example"},
    )
    assert started.status_code == 303
    query = dict(parse_qsl(urlsplit(started.headers["Location"]).query))
    assert query["redirect_uri"] == f"{SITE}/tiktok/callback"


def test_crlf_in_a_status_code_lookup_injects_no_header(client: FlaskClient) -> None:
    token = csrf_token(client, "/data-deletion/status")
    answer = client.post(
        "/data-deletion/status",
        data={"csrf_token": token, "code": "ABCD\r\nSet-Cookie: pwned=1\r\nX: y"},
    )
    assert answer.status_code == 303
    assert answer.headers["Location"] == "/data-deletion/status/ABCDSETCOOKIE:PWNED=1X:Y"
    assert all("pwned" not in v.lower() for k, v in answer.headers.items() if k != "Location")
    assert "Set-Cookie" not in answer.headers or "pwned" not in answer.headers["Set-Cookie"]


def test_crlf_in_a_url_path_injects_no_header(client: FlaskClient) -> None:
    answer = client.get("/data-deletion/status/AB%0d%0aSet-Cookie:%20pwned=1")
    assert answer.status_code == 404
    assert all("pwned" not in v for _, v in answer.headers.items())
