"""The send task tells a database outage (retry soon) from a bug (retry in a minute)."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError, PendingRollbackError

from studio.audit.recorder import AuditWriteError
from studio.db import database_unavailable


def _raised_from(cause: BaseException) -> AuditWriteError:
    try:
        raise AuditWriteError("audit entry tiktok:request could not be written") from cause
    except AuditWriteError as exc:
        return exc


def _raised_while_handling(first: BaseException) -> PendingRollbackError:
    try:
        try:
            raise first
        except type(first):
            raise PendingRollbackError("rolled back?")  # noqa: B904  (the implicit context is the case)
    except PendingRollbackError as exc:
        return exc


REFUSED = OperationalError("SELECT 1", {}, Exception("the database system is starting up"))
CUT = DBAPIError(
    "SELECT 1", {}, Exception("server closed the connection"), connection_invalidated=True
)
DUPLICATE = IntegrityError("INSERT", {}, Exception("duplicate key"))
LOCKED = OperationalError("INSERT", {}, Exception("database is locked"))
NOT_UPGRADED = OperationalError("SELECT", {}, Exception("no such table: caption_templates"))


@pytest.mark.parametrize(
    ("exc", "outage"),
    [
        (REFUSED, True),
        (CUT, True),
        (_raised_from(REFUSED), True),  # the audit recorder fails closed on top of it
        (_raised_while_handling(REFUSED), True),  # the session used again after the loss
        (DUPLICATE, False),
        (_raised_from(DUPLICATE), False),
        (_raised_while_handling(DUPLICATE), False),
        (ValueError("a bug"), False),
        (LOCKED, True),  # SQLite busy past its timeout
        (NOT_UPGRADED, False),  # `flask init` not run after an upgrade: a bug, said so
    ],
    ids=[
        "refused",
        "cut",
        "audit-over-refused",
        "rollback-over-refused",
        "integrity",
        "audit-over-integrity",
        "rollback-over-integrity",
        "bug",
        "locked",
        "schema-not-upgraded",
    ],
)
def test_database_unavailable(exc: BaseException, outage: bool) -> None:
    assert database_unavailable(exc) is outage
