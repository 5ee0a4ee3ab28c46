"""Connecting Meta: the login dialog, the callback, its failures, and choosing the accounts."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qsl, urlsplit

import requests
from sqlalchemy import select

from studio import db, vault
from studio.audit.models import AuditEntry
from studio.db import utcnow
from studio.platforms.meta.connection import INSIGHTS_SCOPES
from studio.platforms.meta.connection import PUBLISH_SCOPES as SCOPES
from studio.sandbox.meta.people import person
from tests.conftest import STAFF_PASSWORD, AuthActions
from tests.helpers import csrf_token
from tests.platforms.meta.app_support import (
    ACME_IG,
    ACME_PAGE,
    APP_REDIRECT,
    SIDE_PAGE,
    VERSION,
    choose,
    connect,
    dialog,
    login_id,
    meta_config,
    rows,
    start,
)


def test_consent_url_asks_exactly_what_is_needed(meta_admin, meta_sandbox):
    url = start(meta_admin)
    parts = urlsplit(url)
    assert url.startswith(meta_sandbox.meta.auth_url(VERSION) + "?")
    query = dict(parse_qsl(parts.query))
    assert query["client_id"] == meta_sandbox.meta.state.config.app_id
    assert query["redirect_uri"] == APP_REDIRECT
    assert query["response_type"] == "code" and len(query["state"]) >= 40
    assert query["scope"].split(",") == SCOPES
    assert "code_challenge" not in query  # Meta has no PKCE for this flow (docs/platforms/meta.md)


def test_insights_permissions_are_asked_only_while_metrics_are_on(make_app, meta_sandbox, users):
    app = make_app(METRICS_ENABLED=True, **meta_config(meta_sandbox))
    client = app.test_client()
    assert AuthActions(app, client).login().status_code == 302
    query = dict(parse_qsl(urlsplit(start(client)).query))
    assert query["scope"].split(",") == SCOPES + INSIGHTS_SCOPES


def test_connect_end_to_end_stores_the_login_and_offers_its_accounts(meta_app, meta_admin, fb):
    answer = connect(meta_admin, fb)
    login = login_id(answer)
    page = meta_admin.get(f"/meta/{login}/choose").get_data(as_text=True)
    for name in (ACME_PAGE.name, SIDE_PAGE.name, "@acme.studio"):
        assert name in page
    (row,) = rows(meta_app, "meta")
    dana = person("dana")
    assert row.remote_id == dana.user_id and row.display_name == dana.name
    assert row.scopes.split(",") == SCOPES and row.status == "connected"
    left = row.access_expires_at - utcnow()
    assert dt.timedelta(days=59) < left < dt.timedelta(days=61)  # the long-lived token
    assert rows(meta_app, "facebook") == [] and rows(meta_app, "instagram") == []
    with meta_app.app_context():
        actions = db.session.scalars(select(AuditEntry.kind)).all()
    assert "meta:connected" in actions


def test_choosing_stores_the_page_and_instagram_and_shows_them(meta_app, meta_admin, fb):
    login = login_id(connect(meta_admin, fb))
    answer = choose(meta_admin, login, [ACME_PAGE.id], [ACME_IG.id])
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/meta/")
    (page,) = rows(meta_app, "facebook")
    (ig,) = rows(meta_app, "instagram")
    assert (page.remote_id, page.display_name, page.parent_id) == (
        ACME_PAGE.id,
        ACME_PAGE.name,
        login,
    )
    assert (ig.remote_id, ig.handle, ig.parent_id) == (ACME_IG.id, "@acme.studio", login)
    assert page.avatar_url and ig.avatar_url and page.data_key and ig.data_key
    with meta_app.app_context():
        assert vault.decrypt(page.data_key, page.access_token_enc).startswith("EAAPage")
    assert ig.access_token_enc is None  # Instagram publishing uses the login's user token
    html = meta_admin.get("/meta/").get_data(as_text=True)
    for text in (ACME_PAGE.name, "@acme.studio", ACME_IG.name, page.avatar_url, ig.avatar_url):
        assert text in html
    again = choose(meta_admin, login, [SIDE_PAGE.id], [])  # unticked ones stop being used
    assert again.status_code == 303
    status = {a.remote_id: (a.status, bool(a.data_key)) for a in rows(meta_app) if a.parent_id}
    assert status[ACME_PAGE.id] == ("disconnected", False)
    assert status[ACME_IG.id] == ("disconnected", False)
    assert status[SIDE_PAGE.id] == ("connected", True)


def test_bad_choices_get_a_clear_error_and_store_nothing(meta_app, meta_admin, fb):
    login = login_id(connect(meta_admin, fb))
    cases = {
        "Choose at least one": ([], []),
        "does not list this login as managing": (["999999999"], []),
        "“17841400000000009”": ([ACME_PAGE.id], ["17841400000000009"]),
    }
    for message, (pages, igs) in cases.items():
        answer = choose(meta_admin, login, pages, igs)
        assert answer.status_code == 400
        assert message in answer.get_data(as_text=True)
    nothing = meta_admin.post(f"/meta/{login}/choose", data={"pages": [ACME_PAGE.id]})
    assert nothing.status_code == 400  # no CSRF token
    assert rows(meta_app, "facebook") == [] and rows(meta_app, "instagram") == []
    assert meta_admin.get("/meta/999/choose").status_code == 404


def test_a_forged_or_replayed_state_is_refused(meta_app, meta_admin, fb):
    callback = dialog(fb, start(meta_admin))
    forged = callback.replace("state=", "state=x")
    answer = meta_admin.get(forged)
    assert answer.status_code == 400 and "not recognised" in answer.get_data(as_text=True)
    # The forged try popped this browser's flow cookie: start again, use it, then replay it.
    callback = dialog(fb, start(meta_admin))
    assert meta_admin.get(callback).status_code == 303
    replay = meta_admin.get(callback)
    assert replay.status_code == 400
    assert len(rows(meta_app, "meta")) == 1


def test_a_callback_from_another_browser_session_is_refused(meta_app, meta_admin, fb, users):
    callback = dialog(fb, start(meta_admin))
    other = meta_app.test_client()
    AuthActions(meta_app, other).login()
    answer = other.get(callback)
    assert answer.status_code == 400 and rows(meta_app) == []


def test_denied_consent_connects_nothing(meta_app, meta_admin, fb):
    answer = meta_admin.get(dialog(fb, start(meta_admin), decision="deny"))
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/meta/")
    assert "You cancelled" in meta_admin.get("/meta/").get_data(as_text=True)
    assert rows(meta_app) == []


def test_an_unticked_permission_is_refused_with_a_clear_page(meta_app, meta_admin, meta_sandbox):
    url = start(meta_admin)
    query = dict(parse_qsl(urlsplit(url).query))
    granted = [s for s in SCOPES if s != "pages_manage_posts"]
    forced = meta_sandbox.meta.state  # the dialog without HTML: untick one permission
    with requests.Session() as fb:
        fb.trust_env = False
        body = {**query, "person": "dana", "granted": granted}
        sent = fb.post(f"{meta_sandbox.url}/_sandbox/meta/authorize", json=body, timeout=10)
    assert sent.status_code == 200 and forced is not None
    redirect = urlsplit(sent.json()["redirect_url"])
    answer = meta_admin.get(f"{redirect.path}?{redirect.query}")
    assert answer.status_code == 403
    assert "pages_manage_posts" in answer.get_data(as_text=True)
    assert rows(meta_app) == []


def test_token_exchange_failures_store_nothing(meta_app, meta_admin, fb, meta_sandbox):
    meta_sandbox.meta.fail_next(f"/meta/graph/{VERSION}/oauth/access_token", "500")
    answer = meta_admin.get(dialog(fb, start(meta_admin)))
    assert answer.status_code == 502 and "Nothing was stored" in answer.get_data(as_text=True)
    meta_sandbox.meta.configure(code_ttl=0.0)  # the code has expired when the app trades it
    answer = meta_admin.get(dialog(fb, start(meta_admin)))
    assert answer.status_code == 400
    assert "Authorization no longer valid" in answer.get_data(as_text=True)
    meta_sandbox.meta.configure(code_ttl=600.0)
    meta_sandbox.meta.fail_next(f"/meta/graph/{VERSION}/me/permissions", "503")
    answer = meta_admin.get(dialog(fb, start(meta_admin)))
    assert answer.status_code == 502
    assert rows(meta_app) == []
    assert "meta:connect_failed" in _actions(meta_app)


def _actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEntry.kind)))


def test_only_admins_connect(meta_app, users):
    client = meta_app.test_client()
    AuthActions(meta_app, client).login(users["staff"], STAFF_PASSWORD)
    assert client.get("/meta/").status_code == 200
    token = csrf_token(client, "/meta/")
    assert client.post("/meta/connect", data={"csrf_token": token}).status_code == 403
