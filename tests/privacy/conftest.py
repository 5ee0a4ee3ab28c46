"""Privacy room fixtures: apps that talk to the sandbox, and builders for the deletion flow."""

from __future__ import annotations

import email
import re
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient

from studio.sandbox.server import SandboxServer
from tests.helpers import csrf_token
from tests.platforms.youtube.app_support import browser  # noqa: F401 - Google's consent page

LOOSE_LIMITS = {
    "PUBLIC_FORM_RATE_LIMIT": "1000 per minute",
    "DELETION_STATUS_RATE_LIMIT": "1000 per minute",
}
ACME_OPEN_ID = "sbx-7f3a9c1e-0001-4d2b-9a51-acme00000001"
_CODE = re.compile(r'data-code="([A-Z0-9]+)"')


@pytest.fixture
def sandbox_app(make_sandbox_app, sandbox: SandboxServer) -> Flask:
    """The app against the sandbox, with public rate limits out of the tests' way."""
    return make_sandbox_app(
        **LOOSE_LIMITS,
    )


@pytest.fixture
def app(sandbox_app: Flask) -> Flask:
    return sandbox_app


@pytest.fixture
def meta_app(make_app) -> Flask:
    """An app that accepts Meta's signed data-deletion callback."""
    from tests.privacy.test_webhooks import META_SECRET

    return make_app(META_APP_SECRET=META_SECRET, META_ENABLED=True, **LOOSE_LIMITS)


def file_request(client: FlaskClient, name: str = "Acme Studio", **form: str):
    """Submit the public form; returns (confirmation code, the "received" page HTML)."""
    data = {"kind": "tiktok", "name": name, **form}
    data["csrf_token"] = csrf_token(client, "/data-deletion")
    response = client.post("/data-deletion", data=data)
    assert response.status_code == 303, response.get_data(as_text=True)
    page = client.get("/data-deletion/received").get_data(as_text=True)
    match = _CODE.search(page)
    assert match, page
    return match.group(1), page


def verify_with_tiktok(
    client: FlaskClient,
    sandbox: SandboxServer,
    creator: str = "acme",
    decision: str = "approve",
    start_url: str = "/data-deletion/verify",
):
    """POST the verify button, let the sandbox approve as ``creator``, GET our callback."""
    token = csrf_token(client, "/data-deletion")
    started = client.post(start_url, data={"csrf_token": token})
    assert started.status_code == 303, started.get_data(as_text=True)
    params = dict(parse_qsl(urlsplit(started.headers["Location"]).query))
    assert params["scope"] == "user.info.basic"
    with requests.Session() as http:
        http.trust_env = False
        answer = http.post(
            sandbox.url + "/_sandbox/authorize",
            json={**params, "creator": creator, "decision": decision},
            timeout=10,
        )
    answer.raise_for_status()
    callback = urlsplit(answer.json()["redirect_url"])
    assert callback.path == "/privacy/verify/callback"
    return client.get(f"{callback.path}?{callback.query}")


def delete_now(client: FlaskClient):
    """Press "Delete my data now" on the verified page."""
    token = csrf_token(client, "/data-deletion/verified")
    return client.post("/data-deletion/confirm", data={"csrf_token": token})


def file_by_email(client: FlaskClient, address: str = "staff@example.com") -> str:
    """File an e-mail deletion request; its confirmation code (from the "received" page)."""
    token = csrf_token(client, "/data-deletion")
    answer = client.post(
        "/data-deletion", data={"csrf_token": token, "kind": "email", "email": address}
    )
    assert answer.status_code == 303, answer.get_data(as_text=True)
    match = _CODE.search(client.get("/data-deletion/received").get_data(as_text=True))
    assert match
    return match.group(1)


def outbox_mails(app: Flask) -> list[str]:
    """The text of every message in the outbox, oldest first."""
    paths = sorted(Path(app.instance_path, "outbox").glob("*.eml"))
    return [
        email.message_from_bytes(p.read_bytes()).get_payload(decode=True).decode() for p in paths
    ]


def mailed_links(app: Flask) -> list[str]:
    """The verification links in the outbox, oldest first, as paths."""
    return [
        link
        for body in outbox_mails(app)
        for link in re.findall(r"http://localhost(/data-deletion/email/\S+)", body)
    ]
