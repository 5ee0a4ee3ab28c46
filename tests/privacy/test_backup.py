"""A backup taken before a deletion, restored, forgets again once the deletion ledger replays."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from studio import db, ledger, vault
from studio.audit import Actor
from studio.platforms.models import Account, AccountStatus
from studio.platforms.tiktok import services as tiktok
from studio.posts.models import Post
from tests.conftest import PG_URL
from tests.privacy.conftest import delete_now, file_request, verify_with_tiktok

PGBIN = os.environ.get("STUDIO_TEST_PGBIN")
backups = pytest.mark.skipif(
    bool(PG_URL) and not PGBIN, reason="pg_dump needs STUDIO_TEST_PGBIN (.ci/run sets it)"
)


def _pg(tool: str, *args: str) -> None:
    url = make_url(PG_URL or "")
    target = ["-h", url.host or "127.0.0.1", "-p", str(url.port or 5432), "-U", url.username or ""]
    subprocess.run([f"{PGBIN}/{tool}", *target, *args], check=True, timeout=120)


def _backup(app) -> Path:
    """The way deploy/README.md says: VACUUM INTO on SQLite, pg_dump on PostgreSQL."""
    live = Path(app.instance_path) / "studio.db"
    if PG_URL:
        target = live.with_name("backup.dump")
        _pg("pg_dump", "-Fc", "-f", str(target), make_url(PG_URL).database or "")
        return target
    target = live.with_name("backup.db")
    with sqlite3.connect(live) as conn:
        conn.execute("VACUUM INTO ?", (str(target),))
    return target


def _restore(app, backup: Path) -> None:
    """The service is stopped (no connection is open), then the backup is restored."""
    app.extensions["db"]["engine"].dispose()
    if PG_URL:
        _pg(
            "pg_restore",
            "--clean",
            "--if-exists",
            "-d",
            make_url(PG_URL).database or "",
            str(backup),
        )
        return
    live = Path(app.instance_path) / "studio.db"
    staged = live.with_name("restoring.db")
    shutil.copy(backup, staged)
    for leftover in ("studio.db-wal", "studio.db-shm"):
        (live.parent / leftover).unlink(missing_ok=True)
    staged.replace(live)


def _token_readable(app, account_id: int) -> bool:
    with app.app_context():
        account = db.session.get(Account, account_id)
        if account is None or not account.data_key:
            return False
        return bool(vault.decrypt(account.data_key, account.access_token_enc))


@backups
def test_restored_backup_forgets_a_deletion_again(app, client, runner, sent_post, sandbox):
    backup = _backup(app)
    code, _ = file_request(client)
    assert verify_with_tiktok(client, sandbox).status_code == 303
    assert delete_now(client).status_code == 303
    assert "completed" in client.get(f"/data-deletion/status/{code}").get_data(as_text=True)

    _restore(app, backup)
    # The honest part: the backup still holds the account, and the live keys still read it.
    assert _token_readable(app, sent_post.deliveries[0].account_id)

    result = runner.invoke(args=["privacy", "replay-deletions"])
    assert result.exit_code == 0, result.output
    assert "Erased again: 1 account(s)" in result.output
    with app.app_context():
        assert db.session.get(Account, sent_post.deliveries[0].account_id) is None
        assert db.session.scalar(select(func.count(Post.id))) == 0
    assert not _token_readable(app, sent_post.deliveries[0].account_id)
    again = runner.invoke(args=["privacy", "replay-deletions"])
    assert "Erased again: 0 account(s)" in again.output


@backups
def test_restored_backup_forgets_revoked_tokens(app, runner, connected_account):
    backup = _backup(app)
    with app.app_context():
        account = db.session.get(Account, connected_account.id)
        tiktok.disconnect(db.session, account, Actor.system("test"), "revoked")
    _restore(app, backup)
    assert _token_readable(app, connected_account.id)
    result = runner.invoke(args=["privacy", "replay-deletions"])
    assert "1 token set(s)" in result.output, result.output
    assert not _token_readable(app, connected_account.id)
    with app.app_context():
        account = db.session.get(Account, connected_account.id)
        assert account.status == AccountStatus.DISCONNECTED


@backups
def test_tokens_of_a_later_reconnection_survive_a_replay(
    app, runner, connected_account, sandbox_client, sandbox
):
    from tests.conftest import connect_tiktok

    with app.app_context():
        account = db.session.get(Account, connected_account.id)
        tiktok.disconnect(db.session, account, Actor.system("test"), "revoked")
    assert connect_tiktok(sandbox_client, sandbox).status_code == 302
    backup = _backup(app)  # holds the new tokens, which nobody erased
    _restore(app, backup)
    assert "0 token set(s)" in runner.invoke(args=["privacy", "replay-deletions"]).output
    assert _token_readable(app, connected_account.id)
    with app.app_context():
        account = db.session.get(Account, connected_account.id)
        tiktok.disconnect(db.session, account, Actor.system("test"), "revoked again")
        assert [e["kind"] for e in ledger.entries()] == ["tokens", "tokens"]
    _restore(app, backup)
    assert "1 token set(s)" in runner.invoke(args=["privacy", "replay-deletions"]).output
    assert not _token_readable(app, connected_account.id)


def test_ledger_holds_internal_ids_only_and_purge_drops_old_entries(app, runner):
    with app.app_context():
        ledger.append(ledger.STAFF, 7)
        ledger.append(ledger.STAFF, 7)
        assert [(e["kind"], e["id"]) for e in ledger.entries()] == [("staff", 7)]
        assert set(ledger.entries()[0]) == {"at", "kind", "id"}
        assert ledger.drop_before(db.utcnow() - dt.timedelta(minutes=1)) == 0
    app.config["BACKUP_RETENTION_DAYS"] = -1  # every backup is younger than the entry
    assert "Deleted 1 deletion ledger entries" in runner.invoke(args=["purge"]).output
    with app.app_context():
        assert ledger.entries() == []
