"""E-mails that an account must be reconnected: to its connector and the admins, once per
incident (not per failed delivery), as each person chose, with no token and no caption."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from studio import db
from studio.audit.models import AuditEntry
from studio.auth.models import Role, User
from studio.db import utcnow
from studio.notify import reconnect
from studio.platforms.grants import read_token
from studio.platforms.models import Account, AccountStatus, Delivery, DeliveryStatus
from studio.platforms.tiktok import services as tiktok
from studio.posts.models import Post
from studio.staff import preferences
from tests.conftest import make_user
from tests.notify.conftest import outbox
from tests.posts.workflow import make_scheduled

SECRET_CAPTION = "Unreleased kettle, launch on Friday"


def _body(message) -> str:
    return message.get_payload(decode=True).decode()


def _sweep(app) -> int:
    with app.app_context():
        return reconnect.sweep(db.session)


def _revoke_grant(app, account_id: int) -> tuple[str, str]:
    """The sandbox revokes the grant; the next refresh fails (invalid_grant). The tokens."""
    with app.app_context():
        account = db.session.get(Account, account_id)
        access, refresh = read_token(account), read_token(account, "refresh")
        tiktok.get_client().revoke(access)
        try:
            tiktok.force_refresh(db.session, account_id)
        except tiktok.ReconnectNeeded:
            pass
        assert db.session.get(Account, account_id).status == AccountStatus.NEEDS_RECONNECT
    assert access and refresh
    return access, refresh


def _fail_for_reconnect(app, video, account_id: int, count: int) -> None:
    """``count`` deliveries to the account failed because it must be reconnected."""
    for n in range(count):
        at = utcnow() + dt.timedelta(days=1, hours=n)
        post_id = make_scheduled(app, video, db_account(app, account_id), at)
        with app.app_context():
            delivery = db.session.scalar(select(Delivery).where(Delivery.post_id == post_id))
            delivery.status, delivery.finished_at = DeliveryStatus.FAILED, utcnow()
            delivery.fail_reason = "reconnect_needed"
            db.session.commit()


def db_account(app, account_id: int) -> Account:
    with app.app_context():
        return db.session.get(Account, account_id)


def test_a_refused_refresh_mails_the_connector_and_admins_once_without_secrets(
    app, sandbox, account, video
):
    make_user(app, "second-admin@example.com", "quartz lantern meadow bicycle", Role.ADMIN)
    post_id = make_scheduled(app, video, account, utcnow() + dt.timedelta(days=2))
    with app.app_context():
        db.session.get(Post, post_id).caption = SECRET_CAPTION  # planned, not published
        db.session.commit()
    _fail_for_reconnect(app, video, account.id, 2)  # deliveries failed on the way there too
    access, refresh = _revoke_grant(app, account.id)
    assert _sweep(app) == 2
    mails = outbox(app)
    assert sorted(m["To"] for m in mails) == ["admin@example.com", "second-admin@example.com"]
    body = _body(mails[0])
    assert "Reconnect the TikTok account" in mails[0]["Subject"]
    assert "must be reconnected" in body and "http://localhost/tiktok/" in body
    # Later runs belong to the same incident: no more e-mails.
    assert _sweep(app) == 0 and _sweep(app) == 0
    assert len(outbox(app)) == 2
    for message in outbox(app):
        text = message.as_string() + _body(message)
        for secret in (access, refresh, SECRET_CAPTION):
            assert secret not in text
    with app.app_context():
        kinds = list(db.session.scalars(select(AuditEntry.kind)))
    assert kinds.count("account:notified") == 2


def test_failed_deliveries_make_one_incident_until_the_account_is_connected_again(
    app, sandbox, account, video
):
    _fail_for_reconnect(app, video, account.id, 3)  # a permission was removed, say
    assert _sweep(app) == 1  # the connector is the only admin
    assert _sweep(app) == 0
    # Reconnected; later it fails again: a new incident, a new e-mail.
    with app.app_context():
        row = db.session.get(Account, account.id)
        row.connected_at = utcnow() + dt.timedelta(seconds=1)
        db.session.commit()
    assert _sweep(app) == 0  # the old failures are from before the reconnect
    with app.app_context():
        for delivery in db.session.scalars(select(Delivery)):
            delivery.finished_at = utcnow() + dt.timedelta(seconds=2)
        db.session.commit()
    assert _sweep(app) == 1
    assert len(outbox(app)) == 2


def test_a_person_who_turned_reconnect_mails_off_gets_none(app, sandbox, account, video):
    make_user(app, "second-admin@example.com", "quartz lantern meadow bicycle", Role.ADMIN)
    with app.app_context():
        for user in db.session.scalars(select(User)):
            if user.email == "admin@example.com":
                enabled = [k for k in preferences.KINDS if k != "reconnect"]
                preferences.save(db.session, user, None, enabled)
    _revoke_grant(app, account.id)
    assert _sweep(app) == 1
    assert [m["To"] for m in outbox(app)] == ["second-admin@example.com"]


def test_pages_behind_a_lost_meta_login_are_covered_by_the_logins_one_email(app, users, video):
    with app.app_context():
        admin = db.session.scalar(select(User).where(User.email == "admin@example.com"))
        login = Account(
            platform="meta",
            remote_id="meta-user-1",
            display_name="Ana at Acme",
            status=AccountStatus.NEEDS_RECONNECT,
            status_reason="Meta refused the token",
            connected_by_id=admin.id,
            connected_at=utcnow() - dt.timedelta(days=3),
        )
        db.session.add(login)
        db.session.flush()
        page = Account(
            platform="facebook",
            remote_id="page-1",
            display_name="Acme Page",
            status=AccountStatus.CONNECTED,
            data_key="not-a-real-key",
            parent_id=login.id,
            connected_by_id=admin.id,
            connected_at=utcnow() - dt.timedelta(days=3),
        )
        db.session.add(page)
        db.session.commit()
        page_id, login_id = page.id, login.id
    _fail_for_reconnect(app, video, page_id, 2)
    assert _sweep(app) == 1 and _sweep(app) == 0
    (message,) = outbox(app)
    assert 'Reconnect the Meta account "Ana at Acme"' in message["Subject"]
    body = _body(message)
    assert "Reason: Meta refused the token." in body
    assert "http://localhost/dashboard/" in body  # Meta is off in this app: no Meta page
    with app.app_context():
        assert db.session.get(Account, login_id).reconnect_mailed_at is not None
        assert db.session.get(Account, page_id).reconnect_mailed_at is None
