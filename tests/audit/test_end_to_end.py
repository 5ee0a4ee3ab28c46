"""Every exchange a draft causes is in the audit log, and no secret is anywhere in it.

Real parts: the OAuth flow and the posts pages against the sandbox over loopback HTTP, the
TikTok client's hook, the database, the export endpoints.
"""

from __future__ import annotations

import copy
import json
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text

from studio import db
from studio.audit.models import AuditEntry
from studio.audit.verify import verify
from studio.platforms import exchanges as connection  # every platform reports here
from studio.transport import Exchange
from tests.helpers import csrf_token

SECRET_FORM_FIELDS = ("client_secret", "code", "code_verifier", "refresh_token")


@pytest.fixture
def app(sandbox_app: Flask) -> Flask:
    return sandbox_app


@pytest.fixture(autouse=True)
def raw(monkeypatch: pytest.MonkeyPatch) -> list[Exchange]:
    """The exchanges as the client reported them, secrets included (for the search)."""
    seen: list[Exchange] = []
    real = connection.record_exchange

    def spy(exchange: Exchange) -> int:
        seen.append(copy.deepcopy(exchange))
        return real(exchange)

    monkeypatch.setattr(connection, "record_exchange", spy)
    return seen


def live_secrets(exchanges: list[Exchange], sandbox: Any) -> set[str]:
    """Every secret value that crossed the wire or that the sandbox issued."""
    found: set[str] = set()
    for ex in exchanges:
        if isinstance(ex.request_body, dict):
            found |= {str(ex.request_body[k]) for k in SECRET_FORM_FIELDS if k in ex.request_body}
        auth = ex.request_headers.get("Authorization", "")
        if auth.startswith("Bearer "):
            found.add(auth.split(" ", 1)[1])
        query = dict(parse_qsl(urlsplit(ex.url).query))
        if "upload_token" in query:
            found.add(query["upload_token"])
        try:
            body = json.loads(ex.response_body or "")
        except ValueError:
            body = {}
        if isinstance(body, dict):
            found |= {str(body[k]) for k in ("access_token", "refresh_token") if k in body}
            data = body.get("data") if isinstance(body.get("data"), dict) else {}
            if data.get("upload_url"):
                found.add(dict(parse_qsl(urlsplit(data["upload_url"]).query))["upload_token"])
    state = sandbox.state
    found |= set(state.codes) | set(state.access) | set(state.refresh)
    found |= {upload.secret for upload in state.uploads.values()}
    return {s for s in found if s}


def table_text(app: Flask) -> str:
    """Every value of every audit row, as text."""
    with app.extensions["db"]["engine"].connect() as conn:
        rows = conn.execute(text("SELECT * FROM audit_entries")).all()
    return "\n".join("\t".join(str(v) for v in row) for row in rows)


def exports(client: FlaskClient) -> str:
    token = csrf_token(client, "/audit/")
    out = []
    for fmt in ("jsonl", "csv"):
        response = client.post("/audit/export", data={"csrf_token": token, "format": fmt})
        assert response.status_code == 200
        out.append(response.get_data(as_text=True))
    return "\n".join(out)


def assert_no_secret(haystack: str, secrets: set[str]) -> None:
    leaked = sorted(s for s in secrets if s in haystack)
    assert not leaked, f"{len(leaked)} secret values found in the audit log"


def test_connect_records_every_exchange_without_secrets(
    app: Flask, sandbox, sandbox_client: FlaskClient, connected_account, raw
) -> None:
    secrets = live_secrets(raw, sandbox)
    secrets.add(app.config["TIKTOK_CLIENT_SECRET"])
    assert len(raw) >= 2 and any(ex.kind == "oauth" for ex in raw)
    with app.app_context():
        recorded = db.session.scalars(
            select(AuditEntry).where(AuditEntry.kind == "tiktok:request").order_by(AuditEntry.seq)
        ).all()
        assert [(e.method, e.endpoint) for e in recorded] == [
            (ex.method, urlsplit(ex.url).path) for ex in raw
        ]
        token_call = next(e for e in recorded if e.endpoint == "/v2/oauth/token/")
        assert token_call.http_status == 200 and token_call.duration_ms is not None
        assert "[redacted]" in token_call.payload
    assert_no_secret(table_text(app), secrets)
    assert_no_secret(exports(sandbox_client), secrets)
    assert_no_secret(sandbox_client.get(f"/audit/{token_call.seq}").get_data(as_text=True), secrets)


def test_a_draft_is_readable_end_to_end_without_secrets(
    app: Flask, sandbox, sandbox_client: FlaskClient, connected_account, make_stored_video, raw
) -> None:
    from tests.posts.conftest import drive, send

    video = make_stored_video()
    response, _ = send(sandbox_client, video.id, connected_account.id)
    assert response.status_code == 302, response.get_data(as_text=True)
    post_id = int(response.headers["Location"].rsplit("/", 1)[1])
    drive(app, post_id)

    secrets = live_secrets(raw, sandbox) | {app.config["TIKTOK_CLIENT_SECRET"]}
    kinds = {ex.kind for ex in raw}
    assert {"oauth", "api", "upload"} <= kinds
    with app.app_context():
        for_post = db.session.scalars(
            select(AuditEntry).where(AuditEntry.post_id == post_id).order_by(AuditEntry.seq)
        ).all()
    endpoints = {e.endpoint for e in for_post}
    assert "/v2/post/publish/inbox/video/init/" in endpoints
    assert "/v2/post/publish/status/fetch/" in endpoints
    chunk = next(e for e in for_post if e.method == "PUT")
    payload = json.loads(chunk.payload)
    assert "body" not in payload["request"] and payload["request"]["body_size"] > 0
    assert "Content-Range" in payload["request"]["headers"]

    page = sandbox_client.get(f"/audit/?post={post_id}").get_data(as_text=True)
    assert "inbox/video/init" in page and "status/fetch" in page
    detail = sandbox_client.get(f"/audit/{chunk.seq}").get_data(as_text=True)
    assert "bytes of video sent" in detail
    for entry in for_post:
        html = sandbox_client.get(f"/audit/{entry.seq}").get_data(as_text=True)
        assert_no_secret(html, secrets)
    assert_no_secret(table_text(app), secrets)
    exported = exports(sandbox_client)
    assert_no_secret(exported, secrets)
    with app.app_context():
        assert verify(app).intact
