"""The auth room's erasure: a former staff member's account goes, nobody else's."""

from __future__ import annotations

import datetime as dt

from flask import Flask
from sqlalchemy import func, select

from studio import db, ledger
from studio.auth import erasure
from studio.auth import services as auth
from studio.auth.models import LoginSession, User
from tests.conftest import make_user
from tests.helpers import STAFF_PASSWORD


def _user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email))


def _sessions(user_id: int) -> int:
    where = LoginSession.user_id == user_id
    return db.session.scalar(select(func.count(LoginSession.id)).where(where)) or 0


def test_erase_for_subject_deletes_a_former_staff_account_only(app: Flask) -> None:
    make_user(app, "gone@example.com", STAFF_PASSWORD)
    make_user(app, "other@example.com", STAFF_PASSWORD)
    with app.app_context():
        gone, other = _user("gone@example.com"), _user("other@example.com")
        for user in (gone, other):
            auth.start_session(db.session, user, dt.timedelta(hours=1))
        gone.active = other.active = False
        db.session.commit()
        gone_id, other_id = gone.id, other.id

        assert erasure.erase_for_subject(db.session, " Gone@Example.com ").erased == 1
        db.session.commit()
        assert _user("gone@example.com") is None and _sessions(gone_id) == 0
        assert _user("other@example.com") is not None and _sessions(other_id) == 1
        assert {"kind": ledger.STAFF, "id": gone_id} in [
            {"kind": e["kind"], "id": e["id"]} for e in ledger.entries()
        ]
        again = erasure.erase_for_subject(db.session, "gone@example.com")
        assert again == erasure.StaffErasure()  # nothing left: safe to run again


def test_an_active_account_is_kept_and_said_so(app: Flask) -> None:
    make_user(app, "working@example.com", STAFF_PASSWORD)
    with app.app_context():
        outcome = erasure.erase_for_subject(db.session, "working@example.com")
        db.session.commit()
        assert outcome == erasure.StaffErasure(still_active=True)
        assert _user("working@example.com") is not None


def test_erase_again_after_a_restore(app: Flask) -> None:
    make_user(app, "restored@example.com", STAFF_PASSWORD)
    make_user(app, "kept@example.com", STAFF_PASSWORD)
    with app.app_context():
        user_id = _user("restored@example.com").id
        assert erasure.erase_again(db.session, user_id) is True
        assert erasure.erase_again(db.session, user_id) is False
        assert _user("restored@example.com") is None
        assert _user("kept@example.com") is not None


def test_purge_expired_sessions_only_takes_expired_ones(app: Flask) -> None:
    make_user(app, "a@example.com", STAFF_PASSWORD)
    with app.app_context():
        user = _user("a@example.com")
        auth.start_session(db.session, user, dt.timedelta(hours=1))
        auth.start_session(db.session, user, dt.timedelta(hours=1))
        expired = db.session.scalars(select(LoginSession)).first()
        expired.expires_at = db.utcnow() - dt.timedelta(minutes=1)
        db.session.commit()
        assert erasure.purge_expired_sessions(db.session, dry_run=True) == 1
        assert _sessions(user.id) == 2
        assert erasure.purge_expired_sessions(db.session) == 1
        assert _sessions(user.id) == 1
        assert erasure.purge_expired_sessions(db.session) == 0
