"""One-time passwords make people choose their own; admins reset passwords and delete staff."""

from __future__ import annotations

import re

from sqlalchemy import select

from studio import db, ledger
from studio.audit.models import AuditEntry
from studio.auth.models import LoginSession, Role, User
from tests.conftest import AuthActions, make_user
from tests.helpers import STAFF_PASSWORD, csrf_token

ONE_TIME = re.compile(r'id="one-time-password" data-copy>([^<]+)</p>')


def _user(app, email: str) -> User | None:
    with app.app_context():
        return db.session.scalar(select(User).where(User.email == email))


def _signed_in(app, email: str, password: str):
    client = app.test_client()
    response = AuthActions(app, client).login(email, password)
    return client, response


def test_a_new_staff_member_chooses_their_own_password_first(app, admin_client):
    token = csrf_token(admin_client, "/staff/")
    created = admin_client.post(
        "/staff/", data={"email": "new@example.com", "role": "staff", "csrf_token": token}
    )
    one_time = ONE_TIME.search(created.get_data(as_text=True)).group(1)
    assert _user(app, "new@example.com").must_change_password
    client, response = _signed_in(app, "new@example.com", one_time)
    assert response.headers["Location"] == "/auth/password"
    held = client.get("/dashboard/")
    assert held.status_code == 302 and held.headers["Location"] == "/auth/password"
    page = client.get("/auth/password").get_data(as_text=True)
    assert "Choose your own password" in page
    token = csrf_token(client, "/auth/password")
    same = client.post(
        "/auth/password", data={"current": one_time, "new": one_time, "csrf_token": token}
    )
    assert same.status_code == 400
    chosen = client.post(
        "/auth/password",
        data={"current": one_time, "new": "plum cactus lantern voyage", "csrf_token": token},
    )
    assert chosen.status_code == 302
    assert client.get("/dashboard/").status_code == 200
    assert not _user(app, "new@example.com").must_change_password


def test_admin_resets_a_password(app, admin_client):
    staff, _ = _signed_in(app, "staff@example.com", STAFF_PASSWORD)
    uid = _user(app, "staff@example.com").id
    token = csrf_token(admin_client, f"/staff/{uid}")
    reset = admin_client.post(f"/staff/{uid}/reset-password", data={"csrf_token": token})
    assert reset.status_code == 200
    assert reset.headers["Cache-Control"] == "no-store"
    one_time = ONE_TIME.search(reset.get_data(as_text=True)).group(1)
    assert staff.get("/dashboard/").status_code == 302  # signed out everywhere
    assert _signed_in(app, "staff@example.com", STAFF_PASSWORD)[1].status_code == 401
    _client, response = _signed_in(app, "staff@example.com", one_time)
    assert response.headers["Location"] == "/auth/password"


def test_admin_cannot_reset_or_delete_themselves(app, admin_client):
    uid = _user(app, "admin@example.com").id
    page = admin_client.get(f"/staff/{uid}").get_data(as_text=True)
    assert "reset-password" not in page and "/delete" not in page
    token = csrf_token(admin_client, f"/staff/{uid}")
    reset = admin_client.post(f"/staff/{uid}/reset-password", data={"csrf_token": token})
    assert reset.status_code == 400
    assert b"Change your own password under your account instead." in reset.data
    gone = admin_client.post(f"/staff/{uid}/delete", data={"csrf_token": token})
    assert gone.status_code == 400
    assert b"You cannot delete your own account." in gone.data
    assert _user(app, "admin@example.com").deleted_at is None


def test_admin_deletes_a_staff_account(app, admin_client):
    staff, _ = _signed_in(app, "staff@example.com", STAFF_PASSWORD)
    _signed_in(app, "staff@example.com", "a wrong password for the audit log")
    uid = _user(app, "staff@example.com").id
    token = csrf_token(admin_client, f"/staff/{uid}")
    gone = admin_client.post(f"/staff/{uid}/delete", data={"csrf_token": token})
    assert gone.status_code == 302
    assert staff.get("/dashboard/").status_code == 302
    assert _user(app, "staff@example.com") is None
    with app.app_context():
        row = db.session.get(User, uid)
        assert row.email == f"deleted-{uid}@staff.invalid" and row.deleted_at is not None
        assert (
            db.session.scalars(select(LoginSession).where(LoginSession.user_id == uid)).all() == []
        )
        # No column of any audit entry holds the address (labels are "staff #N").
        rows = db.session.scalars(select(AuditEntry)).all()
        assert rows and not [
            e.seq for e in rows if "staff@example.com" in repr(vars(e)).replace("\\", "")
        ]
        deleted = db.session.scalar(select(AuditEntry).where(AuditEntry.kind == "user:deleted"))
        assert deleted.summary == f"deleted staff #{uid}; personal data erased, sessions ended"
        assert db.session.scalar(select(AuditEntry).where(AuditEntry.actor_id == str(uid)))
        # A backup restored later replays the erasure (deletion ledger).
        assert {"kind": ledger.STAFF, "id": uid} in [
            {"kind": e["kind"], "id": e["id"]} for e in ledger.entries()
        ]
    assert "Deleted the staff account of staff@example.com" in admin_client.get("/staff/").get_data(
        as_text=True
    )
    assert "staff@example.com" not in admin_client.get("/staff/").get_data(as_text=True)
    assert admin_client.get(f"/staff/{uid}").status_code == 404
    log = admin_client.get("/audit/").get_data(as_text=True)
    assert f"deleted staff #{uid}" in log and "admin@example.com" in log
    assert _signed_in(app, "staff@example.com", STAFF_PASSWORD)[1].status_code == 401
    # The address is free again for a new account.
    make_user(app, "staff@example.com", STAFF_PASSWORD)


def test_cli_delete_user(app, runner, users):
    result = runner.invoke(args=["delete-user", "Staff@Example.com"])
    assert result.exit_code == 0, result.output
    assert "personal data erased" in result.output
    assert _user(app, "staff@example.com") is None
    again = runner.invoke(args=["delete-user", "staff@example.com"])
    assert again.exit_code != 0 and "No staff account" in again.output


def test_cli_refuses_to_delete_the_last_admin(app, runner, users):
    result = runner.invoke(args=["delete-user", "admin@example.com"])
    assert result.exit_code != 0
    assert "At least one active admin must remain." in result.output
    make_user(app, "second@example.com", "plum cactus lantern voyage", Role.ADMIN)
    assert runner.invoke(args=["delete-user", "admin@example.com"]).exit_code == 0


def test_the_demo_admin_password_is_one_time_too(app, runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "you choose your own at first sign-in" in result.output
    assert _user(app, "admin@example.com").must_change_password
