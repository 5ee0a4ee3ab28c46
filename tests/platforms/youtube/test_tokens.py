"""Refresh (newest token kept, one refresher), invalid_grant → needs reconnect, the job."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import select

from studio import db
from studio.db import utcnow
from studio.platforms.grants import read_token
from studio.platforms.models import Account, AccountStatus
from studio.platforms.youtube import tasks, tokens
from tests.platforms.youtube.app_support import connect_youtube

DAY = 86_400


@pytest.fixture
def channel(yt_app, yt_admin, browser) -> int:
    """The "brand" channel connected through the page; its account id."""
    assert connect_youtube(yt_admin, browser).status_code == 303
    with yt_app.app_context():
        return db.session.scalars(select(Account.id)).one()


def _expire_soon(app, account_id: int) -> None:
    with app.app_context():
        account = db.session.get(Account, account_id)
        account.access_expires_at = utcnow() + dt.timedelta(seconds=30)
        db.session.commit()


def test_refresh_keeps_the_newest_refresh_token(yt_app, yt_sandbox, channel):
    yt_sandbox.youtube.configure(new_refresh_every=1)  # Google sends a new one this time
    _expire_soon(yt_app, channel)
    with yt_app.app_context():
        old_refresh = read_token(db.session.get(Account, channel), "refresh")
        old_access = read_token(db.session.get(Account, channel))
        fresh = tokens.access_token(db.session, channel)
        account = db.session.get(Account, channel)
        new_refresh = read_token(account, "refresh")
        assert fresh != old_access and fresh == read_token(account)
        assert new_refresh != old_refresh and new_refresh in yt_sandbox.youtube.refresh
        assert old_refresh not in yt_sandbox.youtube.refresh  # the superseded one died
        assert account.last_refresh_at is not None
        assert not account.access_expires_within(3000)
        # Still valid: no second refresh.
        assert tokens.access_token(db.session, channel) == fresh


def test_concurrent_callers_refresh_once(yt_app, yt_sandbox, channel):
    _expire_soon(yt_app, channel)
    before = yt_sandbox.youtube.counters["refreshes"]
    got: list[str] = []

    def worker() -> None:
        with yt_app.app_context():
            got.append(tokens.access_token(db.session, channel))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(got) == 4 and len(set(got)) == 1
    assert yt_sandbox.youtube.counters["refreshes"] - before == 1


def test_invalid_grant_needs_reconnect_said_plainly(yt_app, yt_admin, yt_sandbox, browser):
    yt_sandbox.youtube.configure(testing_mode=True)  # consent screen in Testing: 7-day tokens
    assert connect_youtube(yt_admin, browser).status_code == 303
    with yt_app.app_context():
        account_id = db.session.scalars(select(Account.id)).one()
    _expire_soon(yt_app, account_id)
    with yt_app.app_context():
        tokens.access_token(db.session, account_id)  # a refresh: Google says when it ends
        assert db.session.get(Account, account_id).refresh_expires_at is not None
    page = yt_admin.get("/youtube/").get_data(as_text=True)
    assert "Authorization ends" in page and "Testing mode" in page
    yt_sandbox.youtube.advance(7 * DAY + 60)
    with yt_app.app_context():  # the job runs before Google's own end is reached here
        account = db.session.get(Account, account_id)
        account.refresh_expires_at = None
        account.access_expires_at = utcnow()
        db.session.commit()
        assert tasks.refresh_expiring() == {"refreshed": 0, "reconnect": 1, "failed": 0}
        account = db.session.get(Account, account_id)
        assert account.status == AccountStatus.NEEDS_RECONNECT
        assert not (account.data_key or account.access_token_enc or account.refresh_token_enc)
        with pytest.raises(tokens.ReconnectNeeded):
            tokens.access_token(db.session, account_id)
    page = yt_admin.get("/youtube/").get_data(as_text=True)
    assert "Needs reconnect" in page and "7 days after consent" in page
    assert "Reconnect YouTube" in page


def test_the_job_refreshes_only_tokens_that_expire_soon(yt_app, yt_sandbox, channel):
    with yt_app.app_context():
        assert tasks.refresh_expiring() == {"refreshed": 0, "reconnect": 0, "failed": 0}
    _expire_soon(yt_app, channel)
    with yt_app.app_context():
        assert tasks.refresh_expiring() == {"refreshed": 1, "reconnect": 0, "failed": 0}
