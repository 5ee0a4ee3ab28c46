"""Secrets at rest: envelope encryption with per-owner data keys wrapped by MultiFernet.

Each TikTok account's secrets are encrypted under its own data key (a Fernet key). Data keys,
and small app-level secrets such as TOTP seeds, are wrapped by a MultiFernet over VAULT_KEYS
(newest first) and stored in the same row. Destroying an owner's data key makes its secrets
unreadable in the live database only: a backup taken earlier holds the wrapped key too, and
VAULT_KEYS still unwrap it. That is why every erasure is also written to the deletion ledger
(``studio.ledger``), which ``flask privacy replay-deletions`` applies after a restore.
"""

from __future__ import annotations

from typing import Any, cast

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute, Session


class VaultError(RuntimeError):
    """A secret could not be decrypted (wrong keys, destroyed data key or tampering)."""


_WRAPPED_COLUMNS: list[InstrumentedAttribute[Any]] = []


def register_wrapped(column: InstrumentedAttribute[Any]) -> None:
    """Declare a column holding MultiFernet-wrapped values, so rotate-keys re-wraps it."""
    if column not in _WRAPPED_COLUMNS:
        _WRAPPED_COLUMNS.append(column)


def _keyring() -> MultiFernet:
    raw = current_app.config["VAULT_KEYS"]
    keys = [k.strip() for k in raw.split(",") if k.strip()] if isinstance(raw, str) else raw
    return MultiFernet([Fernet(k) for k in keys])


def wrap(plaintext: str | bytes) -> str:
    """Encrypt a small secret under the newest vault key."""
    data = plaintext.encode() if isinstance(plaintext, str) else plaintext
    return _keyring().encrypt(data).decode()


def unwrap(token: str) -> bytes:
    """Decrypt a value produced by :func:`wrap` with any configured vault key."""
    try:
        return _keyring().decrypt(token.encode())
    except InvalidToken as exc:
        raise VaultError("a wrapped secret could not be decrypted with VAULT_KEYS") from exc


def new_data_key() -> str:
    """A fresh data key, returned wrapped (only the wrapped form is ever stored)."""
    return wrap(Fernet.generate_key())


def encrypt(wrapped_key: str | None, plaintext: str) -> str:
    """Encrypt ``plaintext`` under an owner's data key."""
    return _data_fernet(wrapped_key).encrypt(plaintext.encode()).decode()


def decrypt(wrapped_key: str | None, token: str) -> str:
    """Decrypt a value encrypted under an owner's data key."""
    try:
        return _data_fernet(wrapped_key).decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise VaultError("secret could not be decrypted with its data key") from exc


def _data_fernet(wrapped_key: str | None) -> Fernet:
    if not wrapped_key:
        raise VaultError("the data key was destroyed; the secret is gone")
    return Fernet(unwrap(wrapped_key))


def rotate(session: Session) -> int:
    """Re-wrap every registered value under the newest vault key; returns how many changed."""
    ring = _keyring()
    changed = 0
    for column in _WRAPPED_COLUMNS:
        model = cast(type[Any], column.class_)  # a mapped class, never an alias
        pk = model.__mapper__.primary_key[0]
        rows = session.execute(select(pk, column).where(column.is_not(None))).all()
        for ident, value in rows:
            rotated = ring.rotate(value.encode()).decode()
            obj = session.get(model, ident)
            setattr(obj, column.key, rotated)
            changed += 1
    session.commit()
    return changed
