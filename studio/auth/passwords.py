"""Password hashing (argon2id at OWASP's parameters) and the password policy."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
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


SERVICE_WORDS = ("social", "studio", "socialstudio", "tiktok")
# Digits and symbols people put in place of letters ("S0c1al$tud10").
LEET = {
    "a": "a4@",
    "b": "b8",
    "e": "e3",
    "g": "g69",
    "i": "i1!|l",
    "l": "l1!|i",
    "o": "o0",
    "s": "s5$",
    "t": "t7+",
    "z": "z2",
}
MIN_OWN_CHARS = 10


def context_words(email: str = "", names: Iterable[str] = ()) -> list[str]:
    """Words a guesser tries first (NIST SP 800-63B): the service's name, the operator's
    ``names`` (company, website, e-mail) and the parts of the user's own address."""
    text = " ".join([*names, email.replace("@", " ")])
    words = set(SERVICE_WORDS)
    for word in re.split(r"[^\w]+|_", unicodedata.normalize("NFKC", text).casefold()):
        if len(word) >= 4 and word not in ("http", "https", "mail", "info"):
            words.add(word)
    local = email.partition("@")[0].casefold()
    if len(local) >= 4:
        words.add(re.sub(r"\W|_", "", local))
    return sorted(words, key=len, reverse=True)


def _spelled(word: str) -> re.Pattern[str]:
    """``word`` in any leet spelling, with separators allowed between its letters."""
    return re.compile(r"[\W_]*".join(f"[{re.escape(LEET.get(c, c))}]" for c in word))


def context_problem(password: str, words: Iterable[str]) -> str | None:
    """Refuse a password whose strength comes from context words, in any case, leet or
    separated spelling: without them, what remains must be strong on its own (zxcvbn's
    top score, about 10^10 guesses) and at least MIN_OWN_CHARS characters long."""
    rest, found = unicodedata.normalize("NFKC", password).casefold(), []
    for word in words:  # longest first: "socialstudio" before "social"
        rest, hits = _spelled(word).subn("", rest)
        if hits:
            found.append(word)
    rest = re.sub(r"[\W_]+", "", rest)  # separators add no strength
    if found and (len(rest) < MIN_OWN_CHARS or zxcvbn(rest)["score"] < 4):
        named = ", ".join(f"“{w}”" for w in found[:3])
        return (
            f"This password is built from the name of this service, the company or your "
            f"e-mail address ({named}); choose words that have nothing to do with them."
        )
    return None


def policy_problems(password: str, email: str = "", names: Iterable[str] = ()) -> list[str]:
    """What is wrong with a new password: length, whether it is common or guessable, and
    whether it is built from context words (see ``context_words``)."""
    problems: list[str] = []
    if len(password) < MIN_LENGTH:
        problems.append(f"Use at least {MIN_LENGTH} characters (this has {len(password)}).")
    elif len(password) > MAX_LENGTH:
        problems.append(f"Use at most {MAX_LENGTH} characters.")
    words = context_words(email, names)
    lowered = password.lower()
    context = context_problem(password[:MAX_LENGTH], words)
    if lowered in _common() or lowered.rstrip("0123456789!") in _common():
        problems.append("This password is on a list of common passwords.")
    elif context:
        problems.append(context)
    elif len(password) <= MAX_LENGTH and zxcvbn(password, user_inputs=words)["score"] < 3:
        problems.append("This password is too easy to guess; a few unrelated words work well.")
    return problems


# A dummy hash so a failed lookup costs as much time as a real check (no account enumeration).
DUMMY_HASH = hasher.hash("dummy password for timing equalisation")
