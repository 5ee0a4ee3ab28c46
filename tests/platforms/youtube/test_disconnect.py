"""Disconnect revokes at Google, then erases; no token is ever in pages, logs, audit or the DB."""

from __future__ import annotations

import logging

from sqlalchemy import select

from studio import db
from studio.audit.models import AuditEntry
from studio.platforms.grants import read_token
from studio.platforms.models import Account, AccountStatus
from studio.platforms.youtube import tokens
from tests.helpers import csrf_token
from tests.platforms.youtube.app_support import connect_youtube, issued_tokens, stored_text
from tests.sandbox.youtube.support import CLIENT_SECRET


def test_disconnect_revokes_at_google_and_erases_the_tokens(yt_app, yt_admin, yt_sandbox, browser):
    assert connect_youtube(yt_admin, browser).status_code == 303
    with yt_app.app_context():
        account = db.session.scalars(select(Account)).one()
        held = {read_token(account), read_token(account, "refresh")}
    grants = yt_sandbox.youtube.grants
    assert held <= issued_tokens(yt_sandbox) and not any(g.revoked for g in grants.values())
    token = csrf_token(yt_admin, "/youtube/")
    answer = yt_admin.post(f"/youtube/{account.id}/disconnect", data={"csrf_token": token})
    assert answer.status_code == 303
    assert all(g.revoked for g in grants.values())  # Google's revoke endpoint was called
    assert not held & set(yt_sandbox.youtube.refresh)
    page = yt_admin.get("/youtube/").get_data(as_text=True)
    assert "access revoked at Google and tokens erased" in page
    assert "Disconnected channels" in page and "Acme Studio" in page
    with yt_app.app_context():
        account = db.session.get(Account, account.id)
        assert account.status == AccountStatus.DISCONNECTED and account.disconnected_at
        assert not (account.data_key or account.access_token_enc or account.refresh_token_enc)
    dump = stored_text(yt_app)
    for secret in held:
        assert secret and secret not in dump
    # Disconnecting twice is refused (nothing is left to disconnect).
    token = csrf_token(yt_admin, "/youtube/")
    again = yt_admin.post(f"/youtube/{account.id}/disconnect", data={"csrf_token": token})
    assert again.status_code == 404


def test_secrets_never_reach_pages_logs_audit_or_the_database(
    yt_app, yt_admin, yt_sandbox, browser, caplog
):
    caplog.set_level(logging.DEBUG)
    pages = []
    assert connect_youtube(yt_admin, browser).status_code == 303
    with yt_app.app_context():
        account = db.session.scalars(select(Account)).one()
        account.access_expires_at = None  # the next use refreshes
        db.session.commit()
        tokens.access_token(db.session, account.id)
        account = db.session.get(Account, account.id)
        key = account.data_key
    for url in ("/youtube/", "/dashboard/", "/audit/"):
        pages.append(yt_admin.get(url).get_data(as_text=True))
    secrets = issued_tokens(yt_sandbox) | {CLIENT_SECRET}
    assert len(secrets) >= 5  # two access tokens, a refresh token, a code, the client secret
    text = "\n".join(pages) + caplog.text + stored_text(yt_app)
    for secret in secrets:
        assert secret not in text
    assert key and key not in "\n".join(pages)
    with yt_app.app_context():
        kinds = [e.kind for e in db.session.scalars(select(AuditEntry))]
    assert kinds.count("youtube:request") >= 3  # exchange, channel, refresh: all audited
    assert "youtube:connected" in kinds and "youtube:refreshed" in kinds
