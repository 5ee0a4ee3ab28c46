"""Bearer values in URLs (link tokens, confirmation codes, media tokens) never reach a log line."""

from __future__ import annotations

import email
import importlib.util
import logging
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests
from flask import Flask

from studio.accesslog import BearerConverter
from tests.e2e.conftest import LiveServer
from tests.helpers import extract_csrf
from tests.privacy.conftest import LOOSE_LIMITS

ROOT = Path(__file__).resolve().parents[2]
BEARER_NAMES = re.compile(r"token|code|secret|key|signature", re.I)


@pytest.fixture
def app(make_sandbox_app) -> Flask:
    return make_sandbox_app(**LOOSE_LIMITS)


def _public_flow(app: Flask, base: str) -> list[str]:
    """File by e-mail, open the link, follow the request, fetch media: the values used."""
    from studio.posts.media import make_token

    http = requests.Session()
    http.trust_env = False
    form = http.get(f"{base}/data-deletion")
    http.post(
        f"{base}/data-deletion",
        data={"csrf_token": extract_csrf(form.text), "kind": "email", "email": "o@example.org"},
    )
    received = http.get(f"{base}/data-deletion/received").text
    code = re.search(r'data-code="([A-Z0-9]+)"', received).group(1)
    (mail,) = Path(app.instance_path, "outbox").glob("*.eml")
    body = email.message_from_bytes(mail.read_bytes()).get_payload(decode=True).decode()
    link = re.search(r"https?://\S+/data-deletion/email/(\S+)", body).group(1)
    grouped = "-".join(code[i : i + 4] for i in range(0, len(code), 4))
    page = http.get(f"{base}/data-deletion/email/{link}")
    http.post(f"{base}/data-deletion/email/{link}", data={"csrf_token": extract_csrf(page.text)})
    http.get(f"{base}/data-deletion/email/{link}")  # used: still logged, still redacted
    http.get(f"{base}/data-deletion/status/{code}")
    http.get(f"{base}/data-deletion/status/{grouped}")
    http.get(f"{base}/data-deletion/status/{code.lower()}?ref=mail")
    with app.app_context():
        media = make_token(1, "ab" * 32)
    http.get(f"{base}/media/{media}")
    http.get(f"{base}/tiktok/callback?code=oauth-code-1234567&state=state-value-1234567")
    return [code, grouped, code.lower(), link, media, "oauth-code-1234567", "state-value-1234567"]


def test_the_development_servers_access_log_holds_no_bearer_value(
    app, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="werkzeug"), LiveServer(app) as server:
        values = _public_flow(app, server.url)
    lines = [r.getMessage() for r in caplog.records if r.name == "werkzeug"]
    assert any("/data-deletion/status/[redacted]" in line for line in lines), lines
    assert any("/data-deletion/email/[redacted]" in line for line in lines), lines
    assert any("/media/[redacted]" in line for line in lines), lines
    leaks = [(v, line) for line in lines for v in values if v in line]
    assert leaks == []


def _gunicorn_conf():
    spec = importlib.util.spec_from_file_location("gunicorn_conf", ROOT / "deploy/gunicorn.conf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_gunicorns_access_log_redacts_whatever_its_format_names(app, tmp_path: Path) -> None:
    """The shipped logger class, with a format naming the request line, path, query, referrer
    and a request and response header: no value survives."""
    from datetime import timedelta

    from gunicorn.config import Config

    conf = _gunicorn_conf()
    assert conf.logger_class is conf.RedactingLogger
    code, token = "K7PQ2WXYZABCDEFGHJKMNPQR", "secret-link-token-abcdefghijklmnop"
    path = f"/data-deletion/email/{token}"
    referer = f"https://studio.example.com/data-deletion/status/{code}"
    cfg = Config()
    cfg.set("accesslog", str(tmp_path / "access.log"))
    cfg.set(
        "access_log_format",
        conf.access_log_format + " %(r)s %(q)s %(f)s %({referer}i)s %({location}o)s %({raw_uri}e)s",
    )
    logger = conf.RedactingLogger(cfg)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"{path}?x={code}",
        "PATH_INFO": path,
        "QUERY_STRING": f"x={code}",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": referer,
        "REMOTE_ADDR": "127.0.0.1",
    }
    request = SimpleNamespace(headers=[("REFERER", referer)])
    response = SimpleNamespace(status="200 OK", sent=10, headers=[("Location", path)])
    logger.access(response, request, environ, timedelta(milliseconds=5))
    for handler in logger.access_log.handlers:
        handler.flush()
    line = (tmp_path / "access.log").read_text()
    assert "/data-deletion/email/[redacted]" in line, line
    assert code not in line and token not in line, line


def test_every_route_carrying_a_secret_declares_it_bearer(app) -> None:
    """The class: a URL variable named like a secret must use the redacted ``bearer`` type."""
    loose = [
        f"{rule.rule} <{name}>"
        for rule in app.url_map.iter_rules()
        if not rule.endpoint.startswith("static")
        for name, converter in (rule._converters or {}).items()
        if BEARER_NAMES.search(name) and not isinstance(converter, BearerConverter)
    ]
    assert loose == []
