"""Confirmation codes and e-mail link tokens (random, stored hashed), and subject hashes."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

# Alphanumeric (Meta requires it) without look-alikes (0/O, 1/I/L, U/V).
ALPHABET = "ABCDEFGHJKMNPQRSTWXYZ23456789"
CODE_LENGTH = 24  # 29**24 ≈ 2**116
_NOT_CODE = re.compile(r"[\s\-]+")


def new_code() -> str:
    """A fresh confirmation code."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalise(code: str) -> str:
    """What the requester typed, without spaces or dashes, upper-cased."""
    return _NOT_CODE.sub("", code or "").upper()[:64]


def hash_code(code: str) -> str:
    """The stored form of a confirmation code (the code itself is never stored)."""
    return hashlib.sha256(normalise(code).encode()).hexdigest()


def grouped(code: str) -> str:
    """A code in groups of four for reading aloud and copying."""
    return " ".join(code[i : i + 4] for i in range(0, len(code), 4))


def new_salt() -> str:
    """A random salt for a subject hash."""
    return secrets.token_hex(16)


def subject_hash(salt: str, identifier: str) -> str:
    """A salted hash of a subject's identifier, kept in the receipt."""
    return hmac.new(salt.encode(), identifier.encode(), hashlib.sha256).hexdigest()


def new_link_token() -> str:
    """A fresh token for an e-mailed verification link (stored only as its hash)."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """The stored form of a link token."""
    return hashlib.sha256(token.encode()).hexdigest()
