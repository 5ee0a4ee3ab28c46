"""The demo journey over real HTTP with a cookie jar: our page → sandbox consent → callback."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from html import unescape

import pytest
import requests
from flask import Flask
from werkzeug.serving import make_server

from studio.sandbox.server import QuietHandler
from tests.helpers import ADMIN_PASSWORD, extract_csrf


@pytest.fixture
def served(app: Flask, users, sandbox) -> Iterator[str]:
    """The app on a real loopback port, registered at the sandbox like `make demo` does."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    base = f"http://127.0.0.1:{server.server_port}"
    app.config["PUBLIC_URL"] = base
    sandbox.configure(redirect_uris=[f"{base}/tiktok/callback"])
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield base
    server.shutdown()
    server.server_close()


def _form(html: str) -> tuple[str, dict[str, str]]:
    action = unescape(re.search(r'<form method="post" action="([^"]+)"', html).group(1))
    fields = {
        unescape(m.group(1)): unescape(m.group(2))
        for m in re.finditer(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html)
    }
    return action, fields


def test_connect_through_the_consent_page(served, sandbox):
    browser = requests.Session()
    browser.trust_env = False
    login = browser.get(f"{served}/auth/login")
    browser.post(
        f"{served}/auth/login",
        data={
            "email": "admin@example.com",
            "password": ADMIN_PASSWORD,
            "csrf_token": extract_csrf(login.text),
        },
    )
    page = browser.get(f"{served}/tiktok/")
    assert "Connect TikTok" in page.text
    consent = browser.post(f"{served}/tiktok/connect", data={"csrf_token": extract_csrf(page.text)})
    assert consent.url.startswith(sandbox.url) and "Authorize app" in consent.text
    action, fields = _form(consent.text)
    fields.update(creator="acme", decision="approve")
    done = browser.post(
        sandbox.url + action,
        data={**fields, "granted": ["user.info.basic", "video.upload"]},
    )
    assert done.status_code == 200 and done.url == f"{served}/tiktok/"
    assert "Connected TikTok account Acme Studio" in done.text
    assert "video.upload" in done.text and "Disconnect" in done.text
    for token in list(sandbox.state.access) + list(sandbox.state.refresh):
        assert token not in done.text
    cookie = "; ".join(f"{c.name}={c.value}" for c in browser.cookies)
    for value in fields.values():
        if len(value) > 20:
            assert value not in cookie


def test_deny_on_the_consent_page(served, sandbox):
    browser = requests.Session()
    browser.trust_env = False
    login = browser.get(f"{served}/auth/login")
    browser.post(
        f"{served}/auth/login",
        data={
            "email": "admin@example.com",
            "password": ADMIN_PASSWORD,
            "csrf_token": extract_csrf(login.text),
        },
    )
    page = browser.get(f"{served}/tiktok/")
    consent = browser.post(f"{served}/tiktok/connect", data={"csrf_token": extract_csrf(page.text)})
    action, fields = _form(consent.text)
    denied = browser.post(
        sandbox.url + action, data={**fields, "creator": "acme", "decision": "deny"}
    )
    assert denied.status_code == 200 and "You cancelled: nothing was connected." in denied.text
    assert "403" not in denied.text
