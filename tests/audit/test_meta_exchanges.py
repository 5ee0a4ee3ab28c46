"""A recorded Meta exchange holds no token, app secret, login code or appsecret_proof."""

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
from studio.platforms.meta.client import MetaClient
from studio.platforms.meta.errors import TokenInvalid
from studio.platforms.meta.resume import send_file
from studio.sandbox.server import SandboxServer
from studio.transport import Exchange
from tests.audit.test_end_to_end import table_text
from tests.platforms.meta.support import IG_ID, PAGE_ID, REDIRECT, SCOPE_LIST, dialog, video_file


@pytest.fixture
def recorded(app: Flask) -> Iterator[tuple[MetaClient, list[Exchange]]]:
    """A Meta client whose hook is the audit recorder; the raw exchanges kept for the search."""
    raw: list[Exchange] = []

    def hook(exchange: Exchange) -> None:
        raw.append(copy.deepcopy(exchange))
        record_exchange(exchange)

    with SandboxServer(meta={"redirect_uris": [REDIRECT]}) as sbx, app.app_context():
        cfg = sbx.meta.state.config
        with MetaClient(
            cfg.app_id, cfg.app_secret, "v27.0", sbx.meta.auth_url(), sbx.meta.graph,
            sbx.meta.rupload, 10, hook,
        ) as mc:  # fmt: skip
            mc.transport.http.trust_env = False
            yield mc, raw


def test_no_token_proof_or_secret_reaches_the_audit_log(
    app: Flask, recorded: tuple[MetaClient, list[Exchange]], tmp_path: Path
) -> None:
    client, raw = recorded
    with requests.Session() as http:
        http.trust_env = False
        code = dialog(http, client.authorize_url(REDIRECT, SCOPE_LIST, "st-1"))["code"]
    short = client.exchange_code(code, REDIRECT)
    user = client.long_lived(short.access_token).access_token
    page = next(p for p in client.pages(user) if p.id == PAGE_ID)
    container = client.create_reel_container(user, IG_ID, "Lamp", True, False)
    assert container.upload_uri
    path = video_file(tmp_path, 4096)
    send_file(client, container.upload_uri, user, path, 4096, progress=lambda _o: None)
    client.container_status(user, container.id)
    client.revoke_permissions(user)
    with pytest.raises(TokenInvalid):
        client.me(page.access_token)  # refused: the error exchange is recorded too

    proofs = {q for e in raw for q in parse_qs(urlsplit(e.url).query).get("appsecret_proof", [])}
    assert len(proofs) >= 2  # present before recording
    secrets = {code, short.access_token, user, page.access_token, client._app_secret, *proofs}
    with app.app_context():
        assert db.session.scalar(select(func.count(AuditEntry.seq))) == len(raw) == 9
    text = table_text(app).replace("%5B", "[").replace("%5D", "]")
    assert "appsecret_proof=[redacted]" in text and "190/458" in text, text
    assert '"Authorization": "Bearer [redacted]"' in text and '"file_size": "4096"' in text
    assert '"Authorization": "[redacted]", "offset"' in text  # rupload's OAuth header
    leaked = sorted(s[:12] for s in secrets if s in text)
    assert leaked == [], f"secrets in the audit table: {leaked}"
