"""Refresh: before expiry, on a 401, single-flight across workers, and failure handling."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from studio import db
from studio.db import utcnow
from studio.platforms.models import Account, AccountStatus
from studio.platforms.tiktok import services
from studio.platforms.tiktok.errors import OAuthError, ReconnectNeeded
from studio.platforms.tiktok.tasks import refresh_expiring
from studio.platforms.tiktok.tokens import read_token


def expire_soon(app, account_id: int, seconds: int = 30) -> None:
    with app.app_context():
        account = db.session.get(Account, account_id)
        account.access_expires_at = utcnow() + dt.timedelta(seconds=seconds)
        db.session.commit()


def load(app, account_id: int) -> Account:
    with app.app_context():
        return db.session.get(Account, account_id)


def fail_next(http, sandbox, endpoint, kind, count=1, seconds=None):
    rule = {"endpoint": endpoint, "count": count, "kind": kind, "seconds": seconds}
    http.post(sandbox.url + "/_sandbox/faults", json={"fail_next": [rule]}).raise_for_status()


def test_fresh_token_is_used_without_refresh(app, connected_account, sandbox):
    with app.app_context():
        token = services.access_token(db.session, connected_account.id)
    assert token in sandbox.state.access
    assert sandbox.state.counters["refreshes"] == 0


def test_expiring_token_is_refreshed_and_rotated(app, connected_account, sandbox):
    before = load(app, connected_account.id)
    expire_soon(app, connected_account.id)
    with app.app_context():
        old_access, old_refresh = read_token(before), read_token(before, "refresh")
        token = services.access_token(db.session, connected_account.id)
        after = db.session.get(Account, connected_account.id)
        assert token == read_token(after) and token != old_access
        assert read_token(after, "refresh") != old_refresh
    assert sandbox.state.counters["refreshes"] == 1
    assert old_refresh not in sandbox.state.refresh
    assert after.last_refresh_at is not None
    lifetime = (after.access_expires_at - after.last_refresh_at).total_seconds()
    assert lifetime == pytest.approx(7200, abs=2)


def test_lifetimes_come_from_the_answer(app, connected_account, sandbox):
    sandbox.configure(access_ttl=1234)
    expire_soon(app, connected_account.id)
    with app.app_context():
        services.access_token(db.session, connected_account.id)
    after = load(app, connected_account.id)
    lifetime = (after.access_expires_at - after.last_refresh_at).total_seconds()
    assert lifetime == pytest.approx(1234, abs=2)


def test_two_workers_refresh_exactly_once(app, connected_account, sandbox, http):
    expire_soon(app, connected_account.id)
    fail_next(http, sandbox, "/v2/oauth/token/", "slow", seconds=0.5)  # widen the overlap
    barrier = threading.Barrier(2)
    tokens: list[str] = []
    problems: list[BaseException] = []

    def worker() -> None:
        with app.app_context():
            barrier.wait()
            try:
                tokens.append(services.access_token(db.session, connected_account.id))
            except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
                problems.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert problems == []
    assert sandbox.state.counters["refreshes"] == 1
    assert len(tokens) == 2 and tokens[0] == tokens[1]
    assert tokens[0] in sandbox.state.access and not sandbox.state.access[tokens[0]].revoked


def test_call_with_token_refreshes_once_after_401(app, connected_account, sandbox, http):
    fail_next(http, sandbox, "/v2/user/info/", "401")
    with app.app_context():
        client = services.get_client()
        user = services.call_with_token(
            db.session, connected_account.id, lambda t: client.user_info(t, ["open_id"])
        )
    assert user["open_id"] == connected_account.remote_id
    assert sandbox.state.counters["refreshes"] == 1


def test_invalid_grant_marks_needs_reconnect_and_erases_the_tokens(
    app, connected_account, sandbox, admin_client
):
    """The crash window: TikTok rotated, we never stored the new pair."""
    account = load(app, connected_account.id)
    with app.app_context():
        services.get_client().refresh(read_token(account, "refresh"))  # then "we crashed"
    expire_soon(app, connected_account.id)
    with app.app_context(), pytest.raises(ReconnectNeeded):
        services.access_token(db.session, connected_account.id)
    after = load(app, connected_account.id)
    assert after.status == AccountStatus.NEEDS_RECONNECT
    assert not (after.data_key or after.access_token_enc or after.refresh_token_enc)
    assert "invalid_grant" in after.status_reason
    page = admin_client.get("/tiktok/").get_data(as_text=True)
    assert "needs reconnect" in page and "Reconnect TikTok" in page
    dashboard = admin_client.get("/dashboard/").get_data(as_text=True)
    assert "needs reconnect" in dashboard and "tone-bad" in dashboard
    with app.app_context(), pytest.raises(ReconnectNeeded):
        services.access_token(db.session, connected_account.id)


def test_transient_refresh_failure_keeps_the_account_connected(
    app, connected_account, sandbox, http
):
    expire_soon(app, connected_account.id)
    fail_next(http, sandbox, "/v2/oauth/token/", "503")
    with app.app_context(), pytest.raises(OAuthError):
        services.access_token(db.session, connected_account.id)
    assert load(app, connected_account.id).status == AccountStatus.CONNECTED
    with app.app_context():
        assert services.access_token(db.session, connected_account.id)
    assert sandbox.state.counters["refreshes"] == 1


def test_periodic_job_refreshes_only_what_is_due(app, connected_account, sandbox):
    with app.app_context():
        assert refresh_expiring() == {"refreshed": 0, "reconnect": 0, "failed": 0}
    expire_soon(app, connected_account.id, seconds=600)
    with app.app_context():
        assert refresh_expiring() == {"refreshed": 1, "reconnect": 0, "failed": 0}
        assert refresh_expiring() == {"refreshed": 0, "reconnect": 0, "failed": 0}
    assert sandbox.state.counters["refreshes"] == 1


def test_force_refresh_skips_when_someone_already_did(app, connected_account, sandbox):
    with app.app_context():
        stale = services.access_token(db.session, connected_account.id)
        fresh = services.force_refresh(db.session, connected_account.id, stale_token=stale)
        again = services.force_refresh(db.session, connected_account.id, stale_token=stale)
    assert fresh == again != stale
    assert sandbox.state.counters["refreshes"] == 1


def test_refresh_cli(app, connected_account, sandbox):
    result = app.test_cli_runner().invoke(args=["tiktok", "refresh"])
    assert result.exit_code == 0, result.output
    assert sandbox.state.counters["refreshes"] == 1
    status = app.test_cli_runner().invoke(args=["tiktok", "status"])
    assert "Acme Studio" in status.output
    for token in sandbox.state.access:
        assert token not in status.output


def _refresh_in_process(config: dict, account_id: int, barrier, results) -> None:
    from studio import create_app

    app = create_app(config)
    with app.app_context():
        barrier.wait()
        try:
            results.put(services.access_token(db.session, account_id))
        except BaseException as exc:  # noqa: BLE001 - sent back to the test
            results.put(f"error: {exc!r}")


def test_two_processes_refresh_exactly_once(app, connected_account, sandbox, http):
    import multiprocessing

    keys = (
        "ENV TESTING INSTANCE_PATH SECRET_KEY VAULT_KEYS AUDIT_SEAL_KEY DATABASE_URL "
        "SQLITE_SYNCHRONOUS HUEY_IMMEDIATE TIKTOK_AUTH_URL TIKTOK_API_BASE TIKTOK_TIMEOUT"
    ).split()
    config = {k: app.config[k] for k in keys} | {"INSTANCE_PATH": app.instance_path}
    expire_soon(app, connected_account.id)
    fail_next(http, sandbox, "/v2/oauth/token/", "slow", seconds=0.5)
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(2), ctx.Queue()
    workers = [
        ctx.Process(
            target=_refresh_in_process, args=(config, connected_account.id, barrier, results)
        )
        for _ in range(2)
    ]
    for worker in workers:
        worker.start()
    tokens = [results.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
    assert all(not str(t).startswith("error") for t in tokens), tokens
    assert tokens[0] == tokens[1]
    assert sandbox.state.counters["refreshes"] == 1
