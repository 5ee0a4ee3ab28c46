"""record(): scope defaults, own transactions, joining a SQLite writer, failing closed."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import func, select, text

from studio import db
from studio.audit import Action, Actor, AuditWriteError, record, scope
from studio.audit.models import AuditEntry
from studio.auth.models import Role, User
from tests.audit.conftest import check


def _entries(app: Flask) -> list[AuditEntry]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEntry).order_by(AuditEntry.seq)))


def _users(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(User.id)))


def _user(email: str) -> User:
    return User(email=email, password_hash="x", role=Role.STAFF)


def test_scope_supplies_defaults_and_fields_override(app: Flask) -> None:
    with app.app_context():
        with scope(actor=Actor.job("send"), account_id=4, post_id=9, job_id="j-1"):
            record(Action.POST_STATUS, summary="inner")
            record(Action.POST_STATUS, summary="override", post_id=10, actor=Actor.public())
        record(Action.POST_STATUS, summary="outside")
    inner, override, outside = _entries(app)
    assert (inner.actor_kind, inner.actor_id, inner.account_id, inner.post_id, inner.job_id) == (
        "job",
        "send",
        4,
        9,
        "j-1",
    )
    assert (override.actor_kind, override.post_id, override.account_id) == ("public", 10, 4)
    assert (outside.actor_kind, outside.account_id) == ("system", None)


def test_scope_is_restored_after_an_exception(app: Flask) -> None:
    with app.app_context():
        with pytest.raises(RuntimeError), scope(account_id=1):
            raise RuntimeError
        record(Action.POST_STATUS)
    assert _entries(app)[0].account_id is None


def test_unknown_field_and_bad_status_are_loud(app: Flask) -> None:
    with app.app_context():
        with pytest.raises(TypeError):
            record(Action.POST_STATUS, colour="red")
        with pytest.raises(ValueError):
            record(Action.POST_STATUS, status="fine")


def test_summary_and_payload_secrets_are_redacted(app: Flask) -> None:
    with app.app_context():
        record(
            Action.TIKTOK_REFRESHED,
            summary="refreshed with rft.abcdefghij",
            payload={"refresh_token": "opaque-value-1", "note": "sandbox-client-secret"},
        )
    (entry,) = _entries(app)
    stored = entry.summary + entry.payload
    assert "rft.abcdefghij" not in stored and "opaque-value-1" not in stored
    assert app.config["TIKTOK_CLIENT_SECRET"] not in stored


def test_callers_rollback_keeps_the_entry_and_loses_its_work(app: Flask) -> None:
    with app.app_context():
        db.session.add(_user("pending@example.com"))  # not flushed: no lock held
        record(Action.USER_CREATED, summary="about to create")
        db.session.rollback()
    assert _users(app) == 0
    assert [e.summary for e in _entries(app)] == ["about to create"]


def test_recording_does_not_commit_the_callers_work(app: Flask) -> None:
    with app.app_context():
        record(Action.USER_CREATED, summary="before")
        db.session.add(_user("later@example.com"))
        db.session.flush()
        db.session.rollback()
    assert _users(app) == 0 and len(_entries(app)) == 1


def test_reader_then_writer_is_not_broken_by_recording(app: Flask) -> None:
    # A deferred SQLite read transaction, then an audit commit, then the caller writes:
    # without care the caller's write hits SQLITE_BUSY_SNAPSHOT.
    with app.app_context():
        db.session.scalar(select(func.count(User.id)))
        record(Action.AUTH_LOGOUT, summary="read, record, write")
        db.session.add(_user("writer@example.com"))
        db.session.commit()
    assert _users(app) == 1


def test_recording_inside_a_write_transaction_commits_with_it(app: Flask) -> None:
    with app.app_context():
        db.session.add(_user("joined@example.com"))
        db.session.flush()  # SQLite: this session now holds the write lock
        seq = record(Action.USER_CREATED, summary="joined")
        db.session.commit()
    assert _users(app) == 1
    assert [(e.seq, e.summary) for e in _entries(app)] == [(seq, "joined")]
    assert check(app).intact


def test_entry_survives_the_rollback_of_a_joined_transaction(app: Flask) -> None:
    with app.app_context():
        db.begin_write(db.session)
        db.session.add(_user("undone@example.com"))
        db.session.flush()
        record(Action.USER_CREATED, summary="attempted")
        db.session.rollback()
        record(Action.USER_UPDATED, summary="after")
    assert _users(app) == 0
    assert [e.summary for e in _entries(app)] == ["attempted", "after"]
    assert check(app).intact


def test_entry_survives_closing_a_joined_session(app: Flask) -> None:
    with app.app_context():
        db.session.add(_user("closed@example.com"))
        db.session.flush()
        record(Action.USER_CREATED, summary="then closed")
    # teardown closed the session without a commit
    assert _users(app) == 0
    assert [e.summary for e in _entries(app)] == ["then closed"]


def test_failure_to_write_raises(app: Flask, broken_audit_table) -> None:
    broken_audit_table()
    with app.app_context(), pytest.raises(AuditWriteError):
        record(Action.AUTH_LOGIN, summary="unrecorded")


def test_failed_write_fails_the_export_closed(admin_client, broken_audit_table) -> None:
    from tests.helpers import csrf_token

    token = csrf_token(admin_client, "/audit/")
    broken_audit_table()
    response = admin_client.post("/audit/export", data={"csrf_token": token, "format": "jsonl"})
    assert response.status_code == 500
    assert "attachment" not in response.headers.get("Content-Disposition", "")


def test_sign_in_fails_closed_when_the_log_cannot_be_written(
    auth, app: Flask, broken_audit_table
) -> None:
    from studio.auth.models import LoginSession

    broken_audit_table()
    response = auth.login()
    assert response.status_code == 500
    with app.app_context():
        assert db.session.scalar(select(func.count(LoginSession.id))) == 0
    assert auth.client.get("/dashboard/").status_code == 302  # still signed out


def test_record_outside_a_request_uses_the_app(app: Flask) -> None:
    with app.app_context():
        db.session.execute(text("SELECT 1"))
        assert record(Action.AUDIT_SEALED, summary="x") == 1


def test_recording_inside_a_begin_block(app: Flask) -> None:
    with app.app_context():
        with db.session.begin():
            db.session.scalar(select(func.count(User.id)))
            record(Action.POST_STATUS, summary="in a begin block")
            db.session.add(_user("block@example.com"))
    assert _users(app) == 1
    assert [e.summary for e in _entries(app)] == ["in a begin block"]
    assert check(app).intact


def test_default_actor_is_the_request_user_or_the_public(app: Flask, users) -> None:
    from flask_login import login_user

    with app.test_request_context():
        record(Action.TIKTOK_REQUEST, summary="anonymous")
    with app.test_request_context():
        staff = db.session.scalar(select(User).where(User.email == "staff@example.com"))
        login_user(staff)
        record(Action.TIKTOK_REQUEST, summary="signed in")
    anonymous, signed_in = _entries(app)
    assert anonymous.actor_kind == "public"
    # Pseudonymous: the chain keeps the staff number, never the address.
    assert (signed_in.actor_kind, signed_in.actor_id) == ("user", str(staff.id))
    assert signed_in.actor_label == f"staff #{staff.id}"
