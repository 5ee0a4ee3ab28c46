"""A recorded YouTube exchange holds no token and no resumable session URI (its upload_id)."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from flask import Flask
from sqlalchemy import func, select

from studio import db
from studio.audit.exchanges import record_exchange
from studio.audit.models import AuditEntry
from studio.audit.redact import MASK
from studio.platforms.youtube.client import YouTubeClient
from studio.sandbox.server import SandboxServer
from studio.transport import Exchange
from tests.audit.test_end_to_end import table_text
from tests.platforms.youtube.support import UNIT, connect, details, video_file
from tests.sandbox.youtube.support import CLIENT_ID, CLIENT_SECRET, REDIRECT, VERIFIER


@pytest.fixture
def recorded(app: Flask) -> Iterator[tuple[YouTubeClient, list[Exchange]]]:
    """A YouTube client whose hook is the audit recorder; the raw exchanges kept for the search."""
    raw: list[Exchange] = []

    def hook(exchange: Exchange) -> None:
        raw.append(copy.deepcopy(exchange))
        record_exchange(exchange)

    with SandboxServer(youtube={"redirect_uris": [REDIRECT]}) as sbx, app.app_context():
        base = f"{sbx.url}/google"
        auth, token, revoke = f"{base}/o/oauth2/v2/auth", f"{base}/token", f"{base}/revoke"
        with YouTubeClient(CLIENT_ID, CLIENT_SECRET, auth, token, revoke, base, 10, hook) as yc:
            yc.transport.http.trust_env = False
            yield yc, raw


def test_no_token_or_session_uri_reaches_the_audit_log(
    app: Flask, recorded: tuple[YouTubeClient, list[Exchange]], tmp_path: Path
) -> None:
    client, raw = recorded
    with requests.Session() as http:
        http.trust_env = False
        tokens = connect(client, http)
    size = 2 * UNIT + 10
    uri = client.start_upload(tokens.access_token, details(), size, "video/mp4")
    with open(video_file(tmp_path, size), "rb") as fh:
        client.upload_chunk(uri, fh, 0, 2 * UNIT, size, content_type="video/mp4")
        client.upload_status(uri, size)
        client.upload_chunk(uri, fh, 2 * UNIT, 10, size, content_type="video/mp4")
    renewed = client.refresh(tokens.refresh_token)
    client.revoke(renewed.access_token)

    upload_id = parse_qs(urlsplit(uri).query)["upload_id"][0]
    code = next(str(e.request_body["code"]) for e in raw if "code" in (e.request_body or {}))
    found = [raw[1].response_headers.get("Location"), raw[2].url]  # present before recording
    assert all(upload_id in str(f) for f in found)
    secrets = {
        upload_id,
        code,
        VERIFIER,
        CLIENT_SECRET,
        tokens.access_token,
        tokens.refresh_token,
        renewed.access_token,
    }
    with app.app_context():
        assert db.session.scalar(select(func.count(AuditEntry.seq))) == len(raw) == 7
    text = table_text(app).replace("%5B", "[").replace("%5D", "]")
    assert f"upload_id={MASK}" in text and "X-GUploader-UploadID" in text
    leaked = sorted(s[:12] for s in secrets if s in text)
    assert leaked == [], f"secrets in the audit table: {leaked}"
