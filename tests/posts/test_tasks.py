"""The send task tells a database outage (retry soon) from a bug (retry in a minute), and records
its waits without tripping over the lease heartbeat's commits."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError, PendingRollbackError

from studio import db
from studio.audit.recorder import AuditWriteError
from studio.db import database_unavailable
from studio.platforms.models import Delivery


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


def test_recording_a_wait_while_the_heartbeat_renews_is_never_refused(app, video, account):
    """SQLite refuses at once ("database is locked", SQLITE_BUSY_SNAPSHOT, no busy wait) a
    transaction that read, then writes after another connection committed. The lease's
    heartbeat commits from its own connection all through a send, so `defer` and `unexpected`,
    which read the delivery and then write it, must take the write lock before they read.

    Tried: 150 of each while a thread renews the lease in a tight loop (before the fix, CI saw
    one refusal in ~2,500 tests; this loop made it fail within its first few rounds)."""
    import threading
    import time

    from studio.platforms import lease
    from studio.platforms.models import DeliveryStatus
    from studio.posts import tasks
    from tests.posts.conftest import delivery_id, make_post

    did = delivery_id(app, make_post(app, video, account))
    owner, stop, renewals = "worker-a", threading.Event(), []

    def heartbeat() -> None:
        with app.app_context():
            session = app.extensions["db"]["factory"]()
            try:
                while not stop.is_set():
                    renewals.append(lease.renew(session, did, owner, 3600))
            finally:
                session.close()

    with app.app_context():
        assert lease.claim(db.session, did, owner, 3600)
        thread = threading.Thread(target=heartbeat)
        thread.start()
        try:
            delivery = db.session.get_one(Delivery, did)
            while not renewals:  # the heartbeat is writing before the first round
                time.sleep(0.001)
            for _ in range(150):
                tasks.defer(delivery, 3600, DeliveryStatus.WAITING_RETRY, "waiting")
                tasks.unexpected(delivery, 3600, "retrying")
                delivery.attempts = 0
                db.session.commit()
        finally:
            stop.set()
            thread.join()
        db.session.refresh(delivery)
        assert delivery.status == DeliveryStatus.WAITING_RETRY
        assert delivery.status_note == "retrying"
    assert len(renewals) > 1 and all(renewals)  # it kept committing throughout, as ours
