"""Every exchange and staff action reaches the audit log, tied to the account."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from studio import db
from studio.audit.models import AuditEntry
from studio.db import utcnow
from studio.platforms.models import Account
from studio.platforms.tiktok import services
from tests.conftest import connect_tiktok


def entries(app) -> list[AuditEntry]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEntry).order_by(AuditEntry.seq)))


def test_connect_and_refresh_are_audited(app, connected_account, sandbox):
    with app.app_context():
        account = db.session.get(Account, connected_account.id)
        account.access_expires_at = utcnow() + dt.timedelta(seconds=5)
        db.session.commit()
        services.access_token(db.session, account.id)
    log = entries(app)
    kinds = [e.kind for e in log]
    assert "tiktok:connected" in kinds and "tiktok:refreshed" in kinds
    requests = [e for e in log if e.kind == "tiktok:request"]
    endpoints = [e.endpoint for e in requests]
    assert endpoints.count("/v2/oauth/token/") == 2 and "/v2/user/info/" in endpoints
    refresh = [e for e in requests if e.endpoint == "/v2/oauth/token/"][-1]
    assert refresh.account_id == connected_account.id and refresh.http_status == 200
    connected = next(e for e in log if e.kind == "tiktok:connected")
    assert connected.account_id == connected_account.id and connected.actor_kind == "user"
    assert all(e.account_id == connected_account.id for e in requests)
    summaries = " ".join(e.summary for e in log)
    assert connected_account.remote_id not in summaries and "Acme Studio" not in summaries
    text = " ".join(f"{e.summary} {e.payload or ''}" for e in log)
    for token in list(sandbox.state.access) + list(sandbox.state.refresh):
        assert token not in text


def test_failed_connect_is_audited(app, admin_client, sandbox):
    connect_tiktok(admin_client, sandbox, decision="deny")
    failed = [e for e in entries(app) if e.kind == "tiktok:connect_failed"]
    assert len(failed) == 1 and failed[0].status == "error"


def test_invalid_grant_is_audited(app, connected_account, sandbox):
    from studio.platforms.tiktok.tokens import read_token

    with app.app_context():
        account = db.session.get(Account, connected_account.id)
        services.get_client().revoke(read_token(account))
        try:
            services.force_refresh(db.session, account.id)
        except services.ReconnectNeeded:
            pass
    failed = [e for e in entries(app) if e.kind == "tiktok:refresh_failed"]
    assert len(failed) == 1 and failed[0].account_id == connected_account.id
    assert "needs reconnect" in failed[0].summary
