"""Password hashing (argon2id at OWASP's parameters) and the password policy."""

from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

MIN_LENGTH = 15
MAX_LENGTH = 256

# OWASP Password Storage Cheat Sheet: argon2id, m=19 MiB, t=2, p=1.
hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


@lru_cache(maxsize=1)
def _common() -> frozenset[str]:
    return frozenset(FREQUENCY_LISTS["passwords"])


def hash_password(password: str) -> str:
    """An argon2id hash of ``password``."""
    return hasher.hash(password)


def verify_password(stored: str, password: str) -> bool:
    """True when ``password`` matches ``stored``; never raises for a bad hash."""
    try:
        return hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """True when ``stored`` was hashed with weaker parameters than today's."""
    try:
        return hasher.check_needs_rehash(stored)
    except InvalidHashError:
        return True


def policy_problems(password: str, email: str = "") -> list[str]:
    """What is wrong with a new password: length, and whether it is common or guessable."""
    problems: list[str] = []
    if len(password) < MIN_LENGTH:
        problems.append(f"Use at least {MIN_LENGTH} characters (this has {len(password)}).")
    elif len(password) > MAX_LENGTH:
        problems.append(f"Use at most {MAX_LENGTH} characters.")
    lowered = password.lower()
    if lowered in _common() or lowered.rstrip("0123456789!") in _common():
        problems.append("This password is on a list of common passwords.")
    elif len(password) <= MAX_LENGTH and zxcvbn(password, user_inputs=[email])["score"] < 3:
        problems.append("This password is too easy to guess; a few unrelated words work well.")
    return problems


# A dummy hash so a failed lookup costs as much time as a real check (no account enumeration).
DUMMY_HASH = hasher.hash("dummy password for timing equalisation")
