"""Meta deletion requests: erase the Meta user's connection, then search that nothing is left.

The plan (studio/privacy/steps.py) locates the person's Meta login (its remote id is the
app-scoped user id Meta's signed callback gives) and the Pages and Instagram accounts chosen
through it, removes the app's permissions at Meta, erases their posts, videos and audit
contents like every owner's plan, then deletes the rows. Last, every column the inventory
declares as personal data and that is readable in the database (not encrypted, not a hash) is
searched for the user id. With nothing
erased and no match the receipt says "we hold no data linked to this Meta user" and lists where
we looked. A match is never reported as "nothing held": the step stops with ``MetaMatch`` and
the request stays in progress, not retried, for an administrator (the queue shows the error),
who deletes by hand or rejects it with a reason.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import String, Text, func, select
from sqlalchemy.orm import Session

from studio.db import Base
from studio.platforms import registry
from studio.privacy import inventory
from studio.privacy.models import DeletionRequest

# Readable columns that hold only digests or salts: a numeric id can appear in hex by chance.
DIGESTS = frozenset(
    {"videos.sha256", "webhook_deliveries.digest", "audit_entries.salt", "deliveries.remote_id"}
)
UNREADABLE = ("_enc", "_hash", "_salt")  # encrypted, or one-way
MIN_NEEDLE = 6


class MetaMatch(RuntimeError):
    """The Meta user id appears in stored data: an administrator must look at it."""


def searchable() -> dict[str, list[str]]:
    """Dataset title → the readable personal columns searched, from the inventory."""
    tables = Base.metadata.tables
    places: dict[str, list[str]] = {}
    for ds in inventory.DATASETS:
        if ds.secret:
            continue
        for name in ds.columns:
            table, column = name.split(".")
            col = tables[table].c[column]
            readable = not name.endswith(UNREADABLE) and name not in DIGESTS
            if isinstance(col.type, String | Text) and readable:
                places.setdefault(ds.title, []).append(name)
    return places


def matches(session: Session, needle: str) -> dict[str, int]:
    """``"table.column"`` → rows containing ``needle`` (none for ids too short to search)."""
    if len(needle) < MIN_NEEDLE:
        raise MetaMatch("the Meta user id is too short to search reliably")
    found: dict[str, int] = {}
    tables = Base.metadata.tables
    for columns in searchable().values():
        for name in columns:
            table, column = name.split(".")
            col = tables[table].c[column]
            count = session.scalar(
                select(func.count()).select_from(tables[table]).where(col.contains(needle))
            )
            if count:
                found[name] = int(count)
    return found


def search(session: Session, req: DeletionRequest, subj: dict[str, Any], tally: Any) -> None:
    """The last step: search, stop on a match; with nothing erased, say where we looked."""
    erasure = registry.erasure_for(req.kind)
    if erasure is None or not erasure.searched_as:
        return
    found = matches(session, str(subj.get(erasure.subject_key) or ""))
    if found:
        raise MetaMatch(f"{erasure.searched_as} id found in {', '.join(sorted(found))}")
    if not tally.erased:
        tally.searched = sorted(searchable())
        tally.subject = erasure.searched_as
