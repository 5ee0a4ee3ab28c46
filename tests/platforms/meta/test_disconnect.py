"""Disconnecting removes the app's permissions at Meta, erases; secrets never leak anywhere."""

from __future__ import annotations

import logging

from sqlalchemy import select

from studio import db
from studio.audit.models import AuditEntry
from studio.sandbox.meta import tokens as sandbox_tokens
from tests.helpers import csrf_token
from tests.platforms.meta.app_support import connect_and_choose, issued, rows
from tests.platforms.youtube.app_support import stored_text


def _disconnect(client, login: int):
    token = csrf_token(client, "/meta/")
    return client.post(f"/meta/{login}/disconnect", data={"csrf_token": token})


def test_disconnect_removes_permissions_at_meta_and_erases_the_tokens(
    meta_app, meta_admin, fb, meta_sandbox
):
    login = connect_and_choose(meta_admin, fb)
    assert sandbox_tokens.grant_of(meta_sandbox.meta.state, "dana") is not None
    answer = _disconnect(meta_admin, login)
    assert answer.status_code == 303
    assert sandbox_tokens.grant_of(meta_sandbox.meta.state, "dana") is None  # revoked at Meta
    for account in rows(meta_app):
        assert account.status == "disconnected" and account.data_key is None
        assert account.access_token_enc is None and account.disconnected_at
    html = meta_admin.get("/meta/").get_data(as_text=True)
    assert "access revoked at Meta and tokens erased" in html
    assert "Disconnected Meta logins" in html
    with meta_app.app_context():
        kinds = list(db.session.scalars(select(AuditEntry.kind)))
    assert kinds.count("meta:disconnected") == 4  # the login, two Pages, one Instagram account
    assert _disconnect(meta_admin, login).status_code == 404  # already disconnected


def test_disconnect_erases_even_when_meta_does_not_answer(meta_app, meta_admin, fb, meta_sandbox):
    login = connect_and_choose(meta_admin, fb)
    meta_sandbox.meta.fail_next("/meta/graph/v27.0/me/permissions", "500")
    assert _disconnect(meta_admin, login).status_code == 303
    assert all(a.data_key is None for a in rows(meta_app))
    html = meta_admin.get("/meta/").get_data(as_text=True)
    assert "Meta did not confirm the revocation" in html


def test_secrets_never_reach_pages_logs_audit_or_the_database(
    meta_app, meta_admin, fb, meta_sandbox, caplog
):
    caplog.set_level(logging.DEBUG)
    login = connect_and_choose(meta_admin, fb)
    pages = [meta_admin.get(p).get_data(as_text=True) for p in ("/meta/", f"/meta/{login}/choose")]
    pages.append(meta_admin.get("/audit/").get_data(as_text=True))
    secrets = issued(meta_sandbox) | {meta_sandbox.meta.state.config.app_secret}
    assert len(secrets) >= 5
    with meta_app.app_context():
        audit = "\n".join(
            repr((e.summary, e.endpoint, e.error, e.payload))
            for e in db.session.scalars(select(AuditEntry))
        )
    texts = {"pages": "\n".join(pages), "logs": caplog.text, "audit": audit}
    texts["database"] = stored_text(meta_app)
    texts["cookies"] = repr([c.value for c in meta_admin._cookies.values()])
    for where, text in texts.items():
        leaked = [s[:12] for s in secrets if s in text]
        assert leaked == [], f"{where} holds {leaked}"
