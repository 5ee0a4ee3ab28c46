"""Another platform's account (YouTube) never appears, refreshes or disconnects as a TikTok one."""

from __future__ import annotations

import datetime as dt

from studio import db
from studio.db import utcnow
from studio.platforms.models import Account, AccountStatus
from studio.platforms.tiktok import connection, services
from tests.helpers import csrf_token


def test_youtube_accounts_are_not_tiktok_accounts(app, admin_client, connected_account):
    with app.app_context():
        youtube = Account(
            platform="youtube",
            remote_id=connected_account.remote_id,  # the same id on another platform
            display_name="Acme Channel",
            status=AccountStatus.CONNECTED,
            data_key="x",
            access_expires_at=utcnow() + dt.timedelta(seconds=5),
        )
        db.session.add(youtube)
        db.session.commit()
        youtube_id = youtube.id
        tiktok_ids = [connected_account.id]
        assert [a.id for a in services.connected_accounts(db.session)] == tiktok_ids
        assert [a.id for a in services.all_accounts(db.session)] == tiktok_ids
        found = connection.account_by_open_id(db.session, connected_account.remote_id)
        assert found is not None and found.id == connected_account.id
        assert services.get_account(db.session, youtube_id) is None
        assert youtube_id not in services.refresh_due(db.session, 3600)
    assert "Acme Channel" not in admin_client.get("/tiktok/").get_data(as_text=True)
    token = csrf_token(admin_client, "/tiktok/")
    for action in ("disconnect", "check"):
        answer = admin_client.post(f"/tiktok/{youtube_id}/{action}", data={"csrf_token": token})
        assert answer.status_code == 404
    with app.app_context():
        assert db.session.get(Account, youtube_id).status == AccountStatus.CONNECTED
