"""Confirmation codes (random, stored hashed), subject hashes and signed e-mail links."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

# Alphanumeric (Meta requires it) without look-alikes (0/O, 1/I/L, U/V).
ALPHABET = "ABCDEFGHJKMNPQRSTWXYZ23456789"
CODE_LENGTH = 24  # 29**24 ≈ 2**116
_NOT_CODE = re.compile(r"[\s\-]+")
_LINK_SALT = "privacy-email-verification"


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


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_LINK_SALT)


def sign_link(request_id: int) -> str:
    """A token for the e-mailed verification link of one request."""
    return _serializer().dumps({"r": request_id})


def read_link(token: str) -> int | None:
    """The request id a link token names, or None when forged or expired."""
    max_age = int(current_app.config["DELETION_LINK_HOURS"]) * 3600
    try:
        data: Any = _serializer().loads(token, max_age=max_age)
    except (SignatureExpired, BadSignature):
        return None
    return data.get("r") if isinstance(data, dict) and isinstance(data.get("r"), int) else None
