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


def test_app_log_file_rotates_daily_and_keeps_the_declared_days(make_app, tmp_path) -> None:
    from logging.handlers import TimedRotatingFileHandler

    from studio import logfile

    log_file = tmp_path / "logs" / "studio.log"
    app = make_app(LOG_FILE=str(log_file), LOG_RETENTION_DAYS=3)
    [handler] = [
        h
        for h in logging.getLogger().handlers
        if isinstance(h, TimedRotatingFileHandler) and h.baseFilename == str(log_file)
    ]
    try:
        assert (handler.when, handler.backupCount, handler.utc) == ("MIDNIGHT", 3, True)
        assert logfile.install(app) is handler  # one handler per file, however many apps
        start = handler.rolloverAt
        for day in range(6):  # six midnights pass
            logging.getLogger("studio.test").warning("day %s from 192.0.2.%s", day, day)
            handler.rolloverAt = start + day * 86400
            handler.doRollover()
        rotated = sorted(p.name for p in log_file.parent.glob("studio.log.*"))
        assert len(rotated) == 3, rotated
        kept = "".join(p.read_text() for p in log_file.parent.glob("studio.log*"))
        assert "192.0.2.0" not in kept and "192.0.2.5" in kept
    finally:
        logging.getLogger().removeHandler(handler)
        handler.close()


def test_shipped_log_rotation_keeps_what_the_policy_says() -> None:
    from pathlib import Path

    from studio.config import Defaults

    deploy = Path(__file__).resolve().parents[2] / "deploy"
    days = Defaults.LOG_RETENTION_DAYS
    journald = (deploy / "journald-social-studio.conf").read_text()
    assert f"MaxRetentionSec={days}day" in journald
    assert re.search(rf"^\s*rotate {days}$", (deploy / "logrotate-social-studio").read_text(), re.M)


def test_rate_limit_counters_expire_with_their_window(app: Flask) -> None:
    """The policy says counters keyed by addresses and typed e-mails last at most an hour."""
    from limits import parse_many

    windows = [
        item.get_expiry()
        for key, value in app.config.items()
        if key.endswith("_RATE_LIMIT") or key.startswith("LOGIN_RATE_LIMIT")
        for item in parse_many(str(value))
    ]
    assert len(windows) >= 5 and max(windows) <= 3600
