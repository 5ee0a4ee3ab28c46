"""Leases on deliveries: a conditional UPDATE claims one, a heartbeat renews it, expiry frees it.

Huey does not acknowledge tasks, so a worker killed mid-send simply stops renewing; once the
lease expires the sweeper enqueues the delivery again and the next worker continues from the
recorded state.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import threading
import time
import uuid
from types import TracebackType

from flask import Flask
from sqlalchemy import or_, update
from sqlalchemy.orm import Session

from studio.db import rowcount, utcnow
from studio.platforms.models import TERMINAL, Delivery, DeliveryStatus


class LeaseLost(RuntimeError):
    """Another worker took the delivery over (our lease expired); stop touching it."""


def worker_id() -> str:
    """A name for one run of the send task: host, process and a random suffix."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def claim(session: Session, delivery_id: int, owner: str, seconds: float) -> bool:
    """Take the delivery if nobody holds a live lease on it, it is not finished, and it is due
    (approved, and its scheduled time has come)."""
    now = utcnow()
    result = session.execute(
        update(Delivery)
        .where(
            Delivery.id == delivery_id,
            Delivery.status.not_in([s.value for s in TERMINAL]),
            # Waiting for approval, or planned for later and not yet started: not this run's.
            Delivery.status != DeliveryStatus.AWAITING_APPROVAL,
            or_(
                Delivery.scheduled_at.is_(None),
                Delivery.scheduled_at <= now,
                Delivery.started_at.is_not(None),
            ),
            or_(
                Delivery.lease_until.is_(None),
                Delivery.lease_until < now,
                Delivery.lease_owner == owner,
            ),
        )
        .values(lease_owner=owner, lease_until=now + dt.timedelta(seconds=seconds))
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return rowcount(result) == 1


def renew(session: Session, delivery_id: int, owner: str, seconds: float) -> bool:
    """Push our lease forward; False when it is no longer ours."""
    result = session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id, Delivery.lease_owner == owner)
        .values(lease_until=utcnow() + dt.timedelta(seconds=seconds))
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return rowcount(result) == 1


def release(session: Session, delivery_id: int, owner: str) -> None:
    """Give the delivery back (a later run or the sweeper may take it at once)."""
    session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id, Delivery.lease_owner == owner)
        .values(lease_owner=None, lease_until=None)
        .execution_options(synchronize_session=False)
    )
    session.commit()


class Heartbeat:
    """Renews a lease from a background thread (a chunk PUT can outlast the lease).

    The thread uses its own session, so the sender's session never holds a transaction open
    while it talks to TikTok. `check()` raises LeaseLost once a renewal failed.
    """

    def __init__(self, app: Flask, delivery_id: int, owner: str, seconds: float) -> None:
        self.app, self.delivery_id, self.owner, self.seconds = app, delivery_id, owner, seconds
        self._stop = threading.Event()
        self._lost = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"lease-{delivery_id}", daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    @property
    def lost(self) -> bool:
        """True once the lease could not be renewed."""
        return self._lost.is_set()

    def check(self) -> None:
        """Raise LeaseLost when another worker may own the delivery now."""
        if self.lost:
            raise LeaseLost(f"delivery {self.delivery_id}: lease lost")

    def _run(self) -> None:
        interval = max(self.seconds / 3, 0.2)
        last_ok = time.monotonic()
        with self.app.app_context():
            session = self.app.extensions["db"]["factory"]()
            try:
                while not self._stop.wait(interval):
                    try:
                        if not renew(session, self.delivery_id, self.owner, self.seconds):
                            break
                        last_ok = time.monotonic()
                    except Exception:  # a busy database: retry while the lease still runs
                        session.rollback()
                        if time.monotonic() - last_ok > self.seconds * 0.8:
                            break
                else:
                    return
                self._lost.set()
            finally:
                session.close()
