"""What the server's own log lines may hold."""

from __future__ import annotations

import logging
import re

import pytest
import requests
from flask import Flask

from tests.e2e.conftest import LiveServer


def test_access_log_lines_keep_the_path_and_drop_the_query(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    code, state = "oauth-code-4f1d9a", "state-77c0e2"
    with caplog.at_level(logging.INFO, logger="werkzeug"), LiveServer(app) as server:
        requests.get(f"{server.url}/tiktok/callback?code={code}&state={state}", timeout=5)
        requests.get(f"{server.url}/privacy?x=1", timeout=5)
    colour = re.compile(r"\x1b\[[0-9;]*m")
    lines = [colour.sub("", r.getMessage()) for r in caplog.records if r.name == "werkzeug"]
    assert any('"GET /tiktok/callback HTTP/1.1"' in line for line in lines), lines
    assert any('"GET /privacy HTTP/1.1"' in line for line in lines), lines
    assert not [line for line in lines if code in line or state in line or "?" in line]
