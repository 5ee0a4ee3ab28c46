"""The secret scan: a whole run (connect, refresh, upload, send, webhook, deletion request) and
no token, key, code or verifier used in it shows up in any response, log record, audit row or
the raw database."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlsplit

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import inspect, select, text

from studio import db, vault
from studio.platforms.models import Account
from studio.platforms.tiktok import tokens as tiktok_tokens
from studio.platforms.tiktok.models import OAuthFlow
from studio.sandbox.server import SandboxServer
from studio.sandbox.webhooks import build_body, sign
from tests.helpers import csrf_token
from tests.posts.conftest import FAST, drive, send
from tests.privacy.conftest import LOOSE_LIMITS, file_request
from tests.videos.conftest import uploader_for

ACME = "sbx-7f3a9c1e-0001-4d2b-9a51-acme00000001"


class Seen:
    """Every response the run saw, and the secrets it used."""

    def __init__(self) -> None:
        self.responses: list[tuple[str, bytes, str]] = []
        self.secrets: dict[str, str] = {}
        self.browser_held: set[str] = set()  # OAuth state: meant to travel through the browser

    def watch(self, client: FlaskClient) -> FlaskClient:
        opened = client.open

        def open_and_keep(*args, **kwargs):
            response = opened(*args, **kwargs)
            headers = "\n".join(f"{k}: {v}" for k, v in response.headers.items())
            self.responses.append((response.request.path, response.get_data(), headers))
            response.close()
            return response

        client.open = open_and_keep  # type: ignore[method-assign]
        return client

    def add(self, label: str, value: str | None) -> None:
        if value and len(value) >= 8:
            self.secrets[f"{label}#{len(self.secrets)}"] = value


def _authorize(
    app: Flask, client: FlaskClient, sandbox: SandboxServer, seen: Seen, start: str, page: str
) -> str:
    """Start a flow, note its state, verifier and code, and come back through the callback."""
    started = client.post(start, data={"csrf_token": csrf_token(client, page)})
    assert started.status_code == 303
    params = dict(parse_qsl(urlsplit(started.headers["Location"]).query))
    seen.browser_held.add(params["state"])
    seen.add("oauth_state", params["state"])
    with app.app_context():
        flow = db.session.scalar(select(OAuthFlow).order_by(OAuthFlow.id.desc()))
        seen.add("pkce_verifier", vault.unwrap(flow.verifier_enc).decode())
    with requests.Session() as http:
        http.trust_env = False
        answer = http.post(
            sandbox.url + "/_sandbox/authorize", json={**params, "creator": "acme"}, timeout=10
        ).json()
    seen.add("oauth_code", answer["code"])
    callback = urlsplit(answer["redirect_url"])
    return f"{callback.path}?{callback.query}"


def _encodings(value: str) -> set[bytes]:
    return {value.encode(), quote(value, safe="").encode()}


def _database_text(app: Flask) -> list[bytes]:
    with app.app_context():
        engine = db.session.get_bind()
        if engine.dialect.name == "sqlite":
            db.session.commit()
            base = Path(engine.url.database)
            files = [base, Path(f"{base}-wal"), Path(f"{base}-shm")]
            return [p.read_bytes() for p in files if p.exists()]
        dumps = []
        for table in inspect(engine).get_table_names():
            rows = db.session.execute(text(f'SELECT t::text FROM "{table}" t')).scalars().all()
            dumps.append("\n".join(rows).encode())
        db.session.commit()
        return dumps


@pytest.fixture
def app(make_sandbox_app) -> Flask:
    app = make_sandbox_app(
        **LOOSE_LIMITS,
    )
    app.config.update(FAST)
    return app


def test_no_secret_appears_in_responses_logs_audit_or_database(
    app: Flask, sandbox: SandboxServer, sandbox_client: FlaskClient, sample_mp4: Path, caplog
) -> None:
    caplog.set_level(logging.DEBUG)
    seen = Seen()
    staff = seen.watch(sandbox_client)
    # Connect TikTok through the real flow.
    callback = _authorize(app, staff, sandbox, seen, "/tiktok/connect", "/tiktok/")
    assert staff.get(callback).status_code == 302
    with app.app_context():
        account = db.session.scalar(select(Account))
        account_id = account.id
        seen.add("access_token", tiktok_tokens.read_token(account, "access"))
        seen.add("refresh_token", tiktok_tokens.read_token(account, "refresh"))
        # Refresh the token (strict rotation: new access and refresh tokens).
        tiktok_tokens.force_refresh(db.session, account_id)
        account = db.session.get(Account, account_id, populate_existing=True)
        seen.add("access_token", tiktok_tokens.read_token(account, "access"))
        seen.add("refresh_token", tiktok_tokens.read_token(account, "refresh"))
    # Upload and send a draft; the job uploads in chunks to the sandbox's upload_url.
    done = uploader_for(staff).send(sample_mp4.read_bytes(), "kettle.mp4")
    assert done.status_code == 200
    sent, _ = send(staff, done.get_json()["video_id"], account_id)
    assert sent.status_code == 302
    post = drive(app, int(sent.headers["Location"].rsplit("/", 1)[1]))
    assert post.status == "in_inbox"
    staff.get(f"/posts/{post.id}")
    # A signed webhook from TikTok.
    body = build_body("sandbox-client-key", "post.publish.inbox_delivered", ACME, {"x": 1})
    header = sign(app.config["TIKTOK_CLIENT_SECRET"], int(time.time()), body)
    assert (
        staff.post("/webhooks/tiktok", data=body, headers={"TikTok-Signature": header}).status_code
        == 200
    )
    # The account owner asks for deletion, proves it with TikTok, and confirms.
    public = seen.watch(app.test_client())
    file_request(public, "Acme Studio")
    verified = public.get(
        _authorize(app, public, sandbox, seen, "/data-deletion/verify", "/data-deletion")
    )
    assert verified.status_code == 303
    token = csrf_token(public, "/data-deletion/verified")
    assert public.post("/data-deletion/confirm", data={"csrf_token": token}).status_code == 303
    # Staff look around afterwards: audit list and every entry.
    staff.get("/audit/")
    with app.app_context():
        seqs = list(db.session.scalars(text("SELECT seq FROM audit_entries ORDER BY seq")))
    for seq in seqs:
        staff.get(f"/audit/{seq}")

    # Every secret the run used.
    for name in ("SECRET_KEY", "AUDIT_SEAL_KEY", "TIKTOK_CLIENT_SECRET"):
        seen.add(name, app.config[name])
    for key in app.config["VAULT_KEYS"].split(","):
        seen.add("vault_key", key.strip())
    state = sandbox.state
    with state.lock:
        for access in state.access:
            seen.add("access_token", access)
        for refresh in state.refresh:
            seen.add("refresh_token", refresh)
        for code in state.codes:
            seen.add("oauth_code", code)
        for upload in state.uploads.values():
            seen.add("upload_token", upload.secret)
    kinds = {label.split("#")[0] for label in seen.secrets}
    assert {
        "access_token",
        "refresh_token",
        "oauth_code",
        "oauth_state",
        "pkce_verifier",
        "upload_token",
        "vault_key",
        "SECRET_KEY",
        "AUDIT_SEAL_KEY",
        "TIKTOK_CLIENT_SECRET",
    } <= kinds
    assert sum(k.startswith("access_token") for k in seen.secrets) >= 3  # connect, refresh, verify

    logs = [
        "\n".join(
            [r.getMessage(), str(r.args), r.exc_text or "", str(getattr(r, "payload", ""))]
        ).encode()
        for r in caplog.records
    ]
    logs += [p.read_bytes() for p in Path(app.instance_path).rglob("*.log")]
    with app.app_context():
        audit = [
            repr(tuple(row)).encode()
            for row in db.session.execute(text("SELECT * FROM audit_entries")).all()
        ]
    database = _database_text(app)
    instance_files = [
        p.read_bytes()
        for p in Path(app.instance_path).rglob("*")
        if p.is_file() and "uploads" not in p.parts and not p.name.startswith("studio.db")
    ]
    assert len(seen.responses) > 40 and logs and audit and database

    leaks = []
    for label, secret in seen.secrets.items():
        needles = _encodings(secret)
        for where, blobs in [
            ("log", logs),
            ("audit row", audit),
            ("database", database),
            ("instance file", instance_files),
        ]:
            if any(n in blob for n in needles for blob in blobs):
                leaks.append((label, where))
        if secret in seen.browser_held:
            continue
        for path, body, headers in seen.responses:
            if any(n in body or n in headers.encode() for n in needles):
                leaks.append((label, f"response {path}"))
    assert leaks == []
