"""A Meta deletion request searches what we store and says truthfully that we hold nothing."""

from __future__ import annotations

import json

from sqlalchemy import select

from studio import db
from studio.privacy import meta
from studio.privacy.models import DeletionRequest, RequestStatus
from tests.privacy.test_webhooks import _meta_payload, _signed_request


def _file(app, user_id: str = "218471") -> tuple[dict, str]:
    client = app.test_client()
    signed = _signed_request({**_meta_payload(), "user_id": user_id})
    answer = client.post("/webhooks/meta/data-deletion", data={"signed_request": signed})
    assert answer.status_code == 200
    data = answer.get_json()
    page = client.get(data["url"].split("localhost", 1)[1]).get_data(as_text=True)
    return data, page


def test_the_search_covers_every_readable_personal_column_of_the_inventory(app):
    places = [c for cols in meta.searchable().values() for c in cols]
    assert "posts.caption" in places and "audit_entries.payload" in places
    assert "accounts.remote_id" in places and "users.email" in places
    assert not any(c.endswith(("_enc", "_hash", "data_key")) for c in places)
    from studio.privacy import services

    assert services.META_MATCH == meta.MetaMatch.__name__


def test_nothing_held_is_said_and_where_we_looked_is_listed(meta_app):
    data, page = _file(meta_app)
    assert "We hold no data linked to this Meta user" in page and "218471" not in page
    for title in meta.searchable():
        assert title in page
    with meta_app.app_context():
        req = db.session.scalar(select(DeletionRequest))
        receipt = json.loads(req.receipt)
        assert req.status == RequestStatus.COMPLETED and receipt["erased"] == {}
        assert receipt["searched"] == sorted(meta.searchable())


def test_a_match_is_never_reported_as_nothing_held(meta_app, users):
    from studio.auth.models import User

    with meta_app.app_context():
        user = db.session.scalar(select(User).where(User.email == "staff@example.com"))
        user.email = "fb-99887766@example.com"
        db.session.commit()
    data, page = _file(meta_app, user_id="99887766")
    assert "We hold no data" not in page
    with meta_app.app_context():
        req = db.session.scalar(select(DeletionRequest))
        assert req.status == RequestStatus.IN_PROGRESS and req.last_error == "MetaMatch"

    # It waits for an administrator (no endless retries), who can reject it with a reason.
    from studio.privacy import services
    from tests.conftest import AuthActions
    from tests.helpers import csrf_token

    with meta_app.app_context():
        assert services.stuck(db.session, minutes=-1) == []
    admin = meta_app.test_client()
    AuthActions(meta_app, admin).login()
    url = f"/privacy/requests/{req.id}"
    token = csrf_token(admin, url)
    reason = "Your ID appears only by chance in a staff e-mail address; we hold no data of yours."
    admin.post(url + "/reject", data={"csrf_token": token, "reject-reason": reason})
    with meta_app.app_context():
        req = db.session.get(DeletionRequest, req.id)
        assert req.status == RequestStatus.REJECTED and req.reason == reason
