"""Tokens at rest: envelope encryption, key rotation, destroyed keys, no plaintext on disk."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select, text

from studio import db, vault
from studio.db import utcnow
from studio.platforms.models import Account
from studio.platforms.tiktok import services
from studio.platforms.tiktok.tokens import read_token
from tests.conftest import AuthActions, connect_tiktok


def test_tokens_are_encrypted_under_the_accounts_own_key(app, connected_account, sandbox):
    with app.app_context():
        account = db.session.get(Account, connected_account.id)
        token = read_token(account)
        assert token in sandbox.state.access
        assert token not in account.access_token_enc
        other_key = vault.new_data_key()
        with pytest.raises(vault.VaultError):
            vault.decrypt(other_key, account.access_token_enc)


def test_no_secret_in_plaintext_in_the_database_or_wal(app, admin_client, sandbox, monkeypatch):
    from studio.platforms.tiktok import oauth

    verifiers: list[str] = []

    def recording_pkce() -> tuple[str, str]:
        pair = real_pkce()
        verifiers.append(pair[0])
        return pair

    real_pkce = oauth.pkce_pair
    monkeypatch.setattr(oauth, "pkce_pair", recording_pkce)
    assert connect_tiktok(admin_client, sandbox).status_code == 302
    with app.app_context():
        account = db.session.scalars(select(Account)).one()
        secrets = {read_token(account), read_token(account, "refresh")}
        account.access_expires_at = utcnow() + dt.timedelta(seconds=10)
        db.session.commit()
        services.access_token(db.session, account.id)  # a refresh: a second pair on disk
        account = db.session.get(Account, account.id)
        secrets |= {read_token(account), read_token(account, "refresh")}
        secrets |= set(sandbox.state.access) | set(sandbox.state.codes) | set(verifiers)
        secrets |= {vault.unwrap(account.data_key).decode(), app.config["TIKTOK_CLIENT_SECRET"]}
    blob = b"".join(p.read_bytes() for p in _database_files(app))
    assert len(secrets) >= 8
    for secret in secrets:
        assert secret and secret.encode() not in blob


def _database_files(app) -> list[Path]:
    """SQLite: the database and its WAL. PostgreSQL: the cluster's heap and WAL files."""
    if not app.config["DATABASE_URL"].startswith("postgresql"):
        files = [p for p in Path(app.instance_path).glob("studio.db*") if p.is_file()]
        assert any(p.name == "studio.db-wal" for p in files)
        return files
    pgdata = os.environ.get("STUDIO_TEST_PGDATA")
    if not pgdata:
        pytest.skip("set STUDIO_TEST_PGDATA to scan PostgreSQL's files")
    with app.app_context():
        db.session.execute(text("CHECKPOINT"))
        db.session.commit()
    roots = [Path(pgdata, "base"), Path(pgdata, "pg_wal")]
    return [p for root in roots for p in root.rglob("*") if p.is_file()]


def test_rotate_keys_with_two_generations(make_app, sandbox, users):
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    urls = {"TIKTOK_AUTH_URL": sandbox.url + "/v2/auth/authorize/", "TIKTOK_API_BASE": sandbox.url}
    first = make_app(VAULT_KEYS=old_key, **urls)
    client = first.test_client()
    AuthActions(first, client).login()
    assert connect_tiktok(client, sandbox).status_code == 302
    with first.app_context():
        account = db.session.scalars(select(Account)).one()
        token, wrapped_before = read_token(account), account.data_key
    both = make_app(VAULT_KEYS=f"{new_key},{old_key}", **urls)
    result = both.test_cli_runner().invoke(args=["rotate-keys"])
    assert result.exit_code == 0, result.output
    only_new = make_app(VAULT_KEYS=new_key, **urls)
    with only_new.app_context():
        account = db.session.get(Account, account.id)
        assert account.data_key != wrapped_before
        assert services.access_token(db.session, account.id) == token
    only_old = make_app(VAULT_KEYS=old_key, **urls)
    with only_old.app_context(), pytest.raises(vault.VaultError):
        vault.unwrap(db.session.get(Account, account.id).data_key)


def test_destroyed_key_makes_old_ciphertext_unreadable(app, connected_account, admin_client):
    with app.app_context():
        account = db.session.get(Account, connected_account.id)
        backup = (account.access_token_enc, account.refresh_token_enc)
        services.destroy_secrets(db.session, account)
        db.session.commit()
        account = db.session.get(Account, connected_account.id)
        assert account.data_key is None and account.access_token_enc is None
        for ciphertext in backup:
            with pytest.raises(vault.VaultError):
                vault.decrypt(account.data_key, ciphertext)
