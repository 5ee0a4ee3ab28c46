"""Disconnect: revoke at TikTok, erase the secrets, keep the history."""

from __future__ import annotations

from studio import db
from studio.audit import Actor
from studio.platforms.models import Account, AccountStatus
from studio.platforms.tiktok import services
from studio.platforms.tiktok.tokens import read_token
from tests.conftest import AuthActions
from tests.helpers import STAFF_PASSWORD, csrf_token


def test_admin_disconnects(app, connected_account, admin_client, sandbox):
    with app.app_context():
        token = read_token(db.session.get(Account, connected_account.id))
    csrf = csrf_token(admin_client, "/tiktok/")
    response = admin_client.post(
        f"/tiktok/{connected_account.id}/disconnect", data={"csrf_token": csrf}
    )
    assert response.status_code == 302
    assert sandbox.state.counters["revokes"] == 1
    assert sandbox.state.access[token].revoked
    with app.app_context():
        account = db.session.get(Account, connected_account.id)
        assert account.status == AccountStatus.DISCONNECTED
        assert account.data_key is None and account.access_token_enc is None
        assert account.refresh_token_enc is None and account.disconnected_at
        assert services.connected_accounts(db.session) == []
    page = admin_client.get("/tiktok/").get_data(as_text=True)
    assert "revoked at TikTok" in page and "Disconnected accounts" in page
    assert "Connect TikTok" in page


def test_disconnect_needs_admin_post_and_csrf(app, connected_account, admin_client, sandbox):
    url = f"/tiktok/{connected_account.id}/disconnect"
    staff = app.test_client()
    AuthActions(app, staff).login("staff@example.com", STAFF_PASSWORD)
    page = staff.get("/tiktok/").get_data(as_text=True)
    assert "Acme Studio" in page and "Disconnect" not in page
    csrf = csrf_token(staff, "/tiktok/")
    assert staff.post(url, data={"csrf_token": csrf}).status_code == 403
    assert admin_client.get(url).status_code == 405
    assert admin_client.post(url).status_code == 400
    csrf = csrf_token(admin_client, "/tiktok/")
    assert admin_client.post("/tiktok/999/disconnect", data={"csrf_token": csrf}).status_code == 404
    assert sandbox.state.counters["revokes"] == 0


def test_disconnect_erases_even_if_tiktok_refuses(app, connected_account, sandbox, http):
    rule = {"endpoint": "/v2/oauth/revoke/", "count": 1, "kind": "500"}
    http.post(sandbox.url + "/_sandbox/faults", json={"fail_next": [rule]})
    with app.app_context():
        account = db.session.get(Account, connected_account.id)
        revoked = services.disconnect(db.session, account, Actor.system("test"), "test")
        assert revoked is False
        account = db.session.get(Account, connected_account.id)
        assert account.status == AccountStatus.DISCONNECTED and account.data_key is None


def test_reconnect_after_disconnect_uses_a_new_key(app, connected_account, sandbox_client, sandbox):
    from tests.conftest import connect_tiktok

    with app.app_context():
        account = db.session.get(Account, connected_account.id)
        old_key = account.data_key
        services.disconnect(db.session, account, Actor.system("test"), "test")
    assert connect_tiktok(sandbox_client, sandbox).status_code == 302
    with app.app_context():
        account = db.session.get(Account, connected_account.id)
        assert account.status == AccountStatus.CONNECTED
        assert account.data_key and account.data_key != old_key
        assert account.disconnected_at is None


def test_grant_removed_webhook_service(app, connected_account):
    with app.app_context():
        account = services.grant_removed(
            db.session, connected_account.remote_id, "user disconnected in TikTok", Actor.webhook()
        )
        assert account.status == AccountStatus.DISCONNECTED and account.data_key is None
        assert services.grant_removed(db.session, "unknown", "x", Actor.webhook()) is None


def test_check_connection(app, connected_account, admin_client, sandbox):
    with app.app_context():
        account = db.session.get(Account, connected_account.id)
        account.display_name, account.avatar_url = "old name", None
        db.session.commit()
    csrf = csrf_token(admin_client, "/tiktok/")
    response = admin_client.post(
        f"/tiktok/{connected_account.id}/check", data={"csrf_token": csrf}, follow_redirects=True
    )
    assert "TikTok confirmed the connection to Acme Studio" in response.get_data(as_text=True)
    with app.app_context():
        account = db.session.get(Account, connected_account.id)
        assert account.display_name == "Acme Studio" and account.avatar_url


def test_check_connection_finds_a_revoked_grant(app, connected_account, admin_client, sandbox):
    with app.app_context():
        services.get_client().revoke(read_token(db.session.get(Account, connected_account.id)))
    csrf = csrf_token(admin_client, "/tiktok/")
    response = admin_client.post(
        f"/tiktok/{connected_account.id}/check", data={"csrf_token": csrf}, follow_redirects=True
    )
    page = response.get_data(as_text=True)
    assert "reconnect the account" in page and "needs reconnect" in page
    with app.app_context():
        account = db.session.get(Account, connected_account.id)
        assert account.status == AccountStatus.NEEDS_RECONNECT
        assert not (account.data_key or account.access_token_enc or account.refresh_token_enc)


def test_dashboard_panel(app, admin_client, sandbox):
    page = admin_client.get("/dashboard/").get_data(as_text=True)
    assert "No TikTok account is connected yet" in page
    from tests.conftest import connect_tiktok

    connect_tiktok(admin_client, sandbox)
    page = admin_client.get("/dashboard/").get_data(as_text=True)
    assert "Acme Studio: connected" in page


def test_purge_old_flows(app, admin_client):
    import datetime as dt

    from sqlalchemy import func, select

    from studio.db import utcnow
    from studio.platforms.tiktok.models import OAuthFlow
    from studio.platforms.tiktok.oauth import purge_flows

    csrf = csrf_token(admin_client, "/tiktok/")
    admin_client.post("/tiktok/connect", data={"csrf_token": csrf})
    with app.app_context():
        assert purge_flows(utcnow()) == 0
        assert purge_flows(utcnow() + dt.timedelta(hours=1)) == 1
        assert db.session.scalar(select(func.count(OAuthFlow.id))) == 0
