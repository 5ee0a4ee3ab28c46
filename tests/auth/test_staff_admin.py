"""Admins add, disable and re-role staff; the CLI creates users."""

from __future__ import annotations

import re

from sqlalchemy import select

from studio import db
from studio.auth.models import Role, User
from tests.helpers import ADMIN_PASSWORD, STAFF_PASSWORD, csrf_token


def _user(app, email):
    with app.app_context():
        return db.session.scalar(select(User).where(User.email == email))


def test_admin_adds_staff_with_one_time_password(app, admin_client):
    token = csrf_token(admin_client, "/staff/")
    response = admin_client.post(
        "/staff/", data={"email": "New@Example.com", "role": "staff", "csrf_token": token}
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    password = re.search(r'id="one-time-password" data-copy>([^<]+)</p>', page).group(1)
    assert _user(app, "new@example.com").role == Role.STAFF
    other = app.test_client()
    token = csrf_token(other, "/auth/login")
    login = other.post(
        "/auth/login", data={"email": "new@example.com", "password": password, "csrf_token": token}
    )
    assert login.status_code == 302


def test_duplicate_and_invalid_email(admin_client):
    token = csrf_token(admin_client, "/staff/")
    dup = admin_client.post(
        "/staff/", data={"email": "staff@example.com", "role": "staff", "csrf_token": token}
    )
    assert b"already exists" in dup.data
    bad = admin_client.post(
        "/staff/", data={"email": "not-an-email", "role": "staff", "csrf_token": token}
    )
    assert bad.status_code == 400
    bad_role = admin_client.post(
        "/staff/", data={"email": "x@example.com", "role": "root", "csrf_token": token}
    )
    assert bad_role.status_code == 400


def test_disable_signs_user_out_everywhere(app, admin_client):
    staff = app.test_client()
    token = csrf_token(staff, "/auth/login")
    staff.post(
        "/auth/login",
        data={"email": "staff@example.com", "password": STAFF_PASSWORD, "csrf_token": token},
    )
    assert staff.get("/dashboard/").status_code == 200
    user_id = _user(app, "staff@example.com").id
    token = csrf_token(admin_client, f"/staff/{user_id}")
    response = admin_client.post(f"/staff/{user_id}", data={"role": "staff", "csrf_token": token})
    assert response.status_code == 302
    assert _user(app, "staff@example.com").active is False
    assert staff.get("/dashboard/").status_code == 302


def test_last_admin_cannot_be_demoted(app, admin_client):
    user_id = _user(app, "admin@example.com").id
    token = csrf_token(admin_client, f"/staff/{user_id}")
    response = admin_client.post(
        f"/staff/{user_id}",
        data={"role": "staff", "active": "y", "current": ADMIN_PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 400
    assert b"At least one active admin" in response.data
    assert _user(app, "admin@example.com").role == Role.ADMIN


def test_promote_staff_to_admin(app, admin_client):
    user_id = _user(app, "staff@example.com").id
    token = csrf_token(admin_client, f"/staff/{user_id}")
    admin_client.post(
        f"/staff/{user_id}", data={"role": "admin", "active": "y", "csrf_token": token}
    )
    assert _user(app, "staff@example.com").role == Role.ADMIN


def test_unknown_user_404(admin_client):
    assert admin_client.get("/staff/9999").status_code == 404


def test_cli_create_user_reads_password_from_stdin(app, runner):
    result = runner.invoke(
        args=["create-user", "cli@example.com", "--role", "admin"],
        input="marble otter juniper lighthouse\n",
    )
    assert result.exit_code == 0, result.output
    assert "marble" not in result.output
    assert _user(app, "cli@example.com").role == Role.ADMIN


def test_cli_create_user_refuses_weak_password(app, runner):
    result = runner.invoke(args=["create-user", "weak@example.com"], input="short\n")
    assert result.exit_code != 0
    assert "at least 15" in result.output
    assert _user(app, "weak@example.com") is None


def test_cli_has_no_password_argument(runner):
    result = runner.invoke(args=["create-user", "x@example.com", "--password", "abc"])
    assert result.exit_code != 0


def test_init_is_safe_to_run_twice(runner):
    for _ in range(2):
        result = runner.invoke(args=["init"])
        assert result.exit_code == 0, result.output
        assert "Database ready" in result.output
