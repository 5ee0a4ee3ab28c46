"""Staff e-mail addresses: one normal form, and look-alikes (Unicode TR39 skeletons) refused."""

from __future__ import annotations

import json
import unicodedata
from functools import lru_cache
from importlib import resources

import idna


class EmailError(ValueError):
    """The address cannot be used; the message is safe to show."""


def normalise(email: str) -> str:
    """NFKC, case-folded, with the domain IDNA-encoded (``ａｄｍｉｎ@Exämple.com`` →
    ``admin@xn--exmple-cua.com``): every spelling of one address compares equal."""
    email = unicodedata.normalize("NFKC", email).strip().casefold()
    # Spaces, controls, format characters (zero-width, direction marks), unassigned code points.
    if any(unicodedata.category(c)[0] in "CZ" for c in email):
        raise EmailError("This e-mail address contains invisible characters. Type it again.")
    local, at, domain = email.rpartition("@")
    if not at or not local or not domain:
        raise EmailError("Enter a valid e-mail address.")
    try:
        domain = idna.encode(domain, uts46=True).decode("ascii")
    except idna.IDNAError as exc:
        raise EmailError("The domain of this e-mail address is not valid.") from exc
    email = f"{local}@{domain}"
    if len(email) > 254:
        raise EmailError("Enter a valid e-mail address.")
    return email


@lru_cache(maxsize=1)
def _prototypes() -> dict[str, str]:
    """Each confusable character → the one character standing for its whole class.

    The data is Unicode's confusables.txt as shipped by ``confusable-homoglyphs`` (a graph:
    each source character lists its prototype, each prototype lists its sources). A class is
    a prototype with its sources, so two hops from any member reach every member; its smallest
    code point stands for all, which gives every member the same skeleton character. Mappings
    to several characters ("rn" for "m") are left out: addresses differ by them visibly enough.
    """
    data = json.loads(
        resources.files("confusable_homoglyphs").joinpath("confusables.json").read_text("utf-8")
    )

    def near(char: str) -> set[str]:
        return {g["c"] for g in data.get(char, ()) if len(g["c"]) == 1}

    out: dict[str, str] = {}
    for char in data:
        if len(char) != 1:
            continue
        members = {char} | near(char)
        for other in list(members):
            members |= near(other)
        out[char] = min(members)
    return out


def skeleton(email: str) -> str:
    """The TR39 skeleton of an address: what it looks like, whatever characters spell it."""
    local, _, domain = normalise(email).rpartition("@")
    # The domain's look is that of its Unicode form, not of its xn-- encoding.
    text = unicodedata.normalize("NFD", f"{local}@{idna.decode(domain)}")
    table = _prototypes()
    return unicodedata.normalize("NFD", "".join(table.get(c, c) for c in text)).casefold()
