"""E-mails about posts: to approvers and authors, once, as each person chose, without secrets."""

from __future__ import annotations

from sqlalchemy import select

from studio import db, vault
from studio.auth.models import User
from studio.notify import services
from studio.platforms.models import Account, DeliveryStatus
from tests.notify.conftest import outbox
from tests.posts.conftest import drive, send
from tests.posts.test_approval import _approve
from tests.posts.workflow import fresh, last_post, staff

SECRET_CAPTION = "Unreleased kettle, launch on Friday"


def _body(message) -> str:
    return message.get_payload(decode=True).decode()


def _run(app) -> int:
    with app.app_context():
        return services.sweep(db.session)


def test_an_approval_request_reaches_the_admin_and_the_decision_the_author(
    app, sandbox, sandbox_client, account, video
):
    app.config["APPROVAL_REQUIRED"] = True
    author = staff(app)
    send(author, video.id, account.id, caption=SECRET_CAPTION)
    post = last_post(app)
    asked = outbox(app)
    assert [m["To"] for m in asked] == ["admin@example.com"]
    assert "Waiting for your approval" in asked[0]["Subject"]
    assert f"/posts/{post.id}" in _body(asked[0])
    _approve(sandbox_client, post.id)
    told = outbox(app)[-1]
    assert told["To"] == "staff@example.com" and "Approved" in told["Subject"]
    drive(app, post.id)
    assert _run(app) == 1
    landed = outbox(app)[-1]
    assert landed["To"] == "staff@example.com"
    assert "Draft to finish in TikTok" in landed["Subject"]
    assert _run(app) == 0  # once per outcome
    for message in outbox(app):
        body = _body(message)
        assert SECRET_CAPTION not in body and "kettle" not in body.lower()
        assert "access_token" not in body and "token=" not in body


def test_a_failure_is_e_mailed_unless_the_person_turned_it_off(
    app, sandbox, sandbox_client, account, video
):
    send(sandbox_client, video.id, account.id)
    post = last_post(app)
    delivery = drive(app, post.id)
    with app.app_context():
        delivery = db.session.merge(delivery)
        delivery.status = DeliveryStatus.FAILED
        db.session.commit()
    assert _run(app) == 1
    assert "Failed" in outbox(app)[-1]["Subject"]
    with app.app_context():
        admin = db.session.scalar(select(User).where(User.email == "admin@example.com"))
        admin.notify_off = ["failed"]
        delivery = db.session.merge(fresh(app, post.id))
        delivery.status, delivery.notified_status = DeliveryStatus.FAILED, None
        db.session.commit()
    before = len(outbox(app))
    assert _run(app) == 0
    assert len(outbox(app)) == before


def test_no_e_mail_holds_an_account_token(app, sandbox, sandbox_client, account, video):
    send(sandbox_client, video.id, account.id)
    drive(app, last_post(app).id)
    _run(app)
    with app.app_context():
        stored = db.session.get(Account, account.id)
        token = vault.decrypt(stored.data_key, stored.access_token_enc)
    assert token
    assert all(token not in _body(m) for m in outbox(app))


def test_a_refused_e_mail_is_sent_by_a_later_sweep_once_the_mail_server_is_back(
    app, sandbox, sandbox_client, account, video, smtp_server, caplog
):
    """Tried: the mail server refusing the connection (the e-mail waits, sweeps pause), a sweep
    during the pause (nothing tried), the server back (sent once), one more sweep (nothing)."""
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=9, SMTP_STARTTLS=False)
    send(sandbox_client, video.id, account.id)
    post = last_post(app)
    drive(app, post.id)
    with app.app_context():
        delivery = db.session.merge(fresh(app, post.id))
        delivery.status, delivery.notified_status = DeliveryStatus.FAILED, None
        db.session.commit()
    assert _run(app) == 0
    assert fresh(app, post.id).notified_status is None  # not claimed: a later sweep sends it
    assert "could not e-mail staff" in caplog.text and "admin@example.com" not in caplog.text
    app.config["SMTP_HOST"], app.config["SMTP_PORT"] = smtp_server.server_address
    assert _run(app) == 0  # paused after the failure: the server is not tried again yet
    assert smtp_server.messages == []
    app.config["NOTIFY_RETRY_PAUSE"] = 0
    app.extensions["notify.paused_until"] = [0.0]  # the pause is over
    assert _run(app) == 1
    assert _run(app) == 0
    [raw] = smtp_server.messages
    assert b"Failed" in raw and fresh(app, post.id).notified_status == DeliveryStatus.FAILED
