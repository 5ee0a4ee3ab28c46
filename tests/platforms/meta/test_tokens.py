"""Renewing the long-lived Meta token: one refresher per login, reconnect when Meta refuses."""

from __future__ import annotations

import datetime as dt
import threading

from sqlalchemy import select

from studio import db, vault
from studio.audit.models import AuditEntry
from studio.db import utcnow
from studio.platforms.meta import tasks
from studio.platforms.meta.connection import get_client
from studio.platforms.meta.errors import TokenInvalid
from studio.platforms.meta.tokens import ReconnectNeeded, token_for, user_token
from studio.platforms.models import Account
from studio.sandbox.meta import tokens as sandbox_tokens
from tests.platforms.meta.app_support import connect_and_choose, rows


def _expire_soon(app, login: int, days: float = 3) -> str:
    with app.app_context():
        account = db.session.get(Account, login)
        account.access_expires_at = utcnow() + dt.timedelta(days=days)
        old = vault.decrypt(account.data_key, account.access_token_enc)
        db.session.commit()
    return old


def _token(app, account_id: int) -> str:
    with app.app_context():
        account = db.session.get(Account, account_id)
        return vault.decrypt(account.data_key, account.access_token_enc)


def test_the_periodic_job_renews_a_token_that_expires_soon(meta_app, meta_admin, fb):
    login = connect_and_choose(meta_admin, fb)
    with meta_app.app_context():
        assert tasks.refresh_expiring() == {"refreshed": 0, "reconnect": 0, "failed": 0}
    old = _expire_soon(meta_app, login)
    with meta_app.app_context():
        assert tasks.refresh_expiring()["refreshed"] == 1
        kinds = list(db.session.scalars(select(AuditEntry.kind)))
    new = _token(meta_app, login)
    assert new != old and "meta:refreshed" in kinds
    (row,) = rows(meta_app, "meta")
    assert row.access_expires_at - utcnow() > dt.timedelta(days=59) and row.last_refresh_at
    with meta_app.app_context(), get_client() as client:
        assert client.me(new).name == "Dana Demo"
        try:
            client.me(old)  # the sandbox ends the exchanged token (Meta's may live on)
        except TokenInvalid:
            pass
        else:
            raise AssertionError("the old token still works in the strict sandbox")


def test_instagram_and_pages_use_the_right_tokens(meta_app, meta_admin, fb):
    login = connect_and_choose(meta_admin, fb)
    by_platform = {a.platform: a for a in rows(meta_app) if a.parent_id}
    with meta_app.app_context():
        ig = db.session.get(Account, by_platform["instagram"].id)
        page = db.session.get(Account, by_platform["facebook"].id)
        assert token_for(db.session, ig) == _token(meta_app, login)
        assert token_for(db.session, page).startswith("EAAPage")


def test_a_refused_renewal_needs_reconnect_said_plainly(meta_app, meta_admin, fb, meta_sandbox):
    login = connect_and_choose(meta_admin, fb)
    _expire_soon(meta_app, login, days=1)
    sandbox_tokens.expire_all(meta_sandbox.meta.state)  # Meta no longer renews it
    with meta_app.app_context():
        assert tasks.refresh_expiring()["reconnect"] == 1
        ig = db.session.scalar(select(Account).where(Account.platform == "instagram"))
        try:
            token_for(db.session, ig)
        except ReconnectNeeded as exc:
            assert "no longer accepts" in exc.reason
        else:
            raise AssertionError("a login Meta refused still hands out a token")
    (row,) = rows(meta_app, "meta")
    assert row.status == "needs_reconnect" and row.data_key is None
    html = meta_admin.get("/meta/").get_data(as_text=True)
    assert "Needs reconnect" in html and "Reconnect Meta" in html


def test_concurrent_callers_renew_once(meta_app, meta_admin, fb, meta_sandbox):
    login = connect_and_choose(meta_admin, fb)
    _expire_soon(meta_app, login, days=0.001)  # under the 5 minutes every caller needs
    state = meta_sandbox.meta.state
    before = state.counters["tokens_long"]
    got: list[str] = []

    def worker() -> None:
        with meta_app.app_context():
            got.append(user_token(db.session, login))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    # One exchange: a second one would present the token the first ended (190, reconnect).
    assert len(got) == 4 and len(set(got)) == 1
    assert state.counters["tokens_long"] - before == 1
    assert rows(meta_app, "meta")[0].status == "connected"
