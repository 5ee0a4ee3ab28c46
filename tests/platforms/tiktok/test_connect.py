"""Connecting an account through the real flow against the sandbox."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from sqlalchemy import func, select

from studio import db
from studio.platforms.models import Account, AccountStatus
from studio.platforms.tiktok.models import OAuthFlow
from tests.conftest import AuthActions, connect_tiktok
from tests.helpers import STAFF_PASSWORD, csrf_token


def _accounts(app) -> list[Account]:
    with app.app_context():
        return list(db.session.scalars(select(Account)))


def test_happy_path_stores_account_and_shows_it(app, admin_client, sandbox):
    response = connect_tiktok(admin_client, sandbox)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/tiktok/")
    (account,) = _accounts(app)
    assert account.status == AccountStatus.CONNECTED
    assert account.display_name == "Acme Studio"
    assert account.avatar_url.endswith("/_sandbox/avatar/acme.svg")
    assert account.scope_list == ["user.info.basic", "video.upload"]
    assert account.access_expires_at is not None and account.refresh_expires_at is not None
    page = admin_client.get("/tiktok/").get_data(as_text=True)
    assert "Acme Studio" in page and "video.upload" in page and "connected" in page
    for token in list(sandbox.state.access) + list(sandbox.state.refresh):
        assert token not in page


def test_authorize_url_has_client_key_hex_pkce_and_exact_redirect(app, admin_client):
    token = csrf_token(admin_client, "/tiktok/")
    response = admin_client.post("/tiktok/connect", data={"csrf_token": token})
    params = dict(parse_qsl(urlsplit(response.headers["Location"]).query))
    assert params["client_key"] == "sandbox-client-key" and "client_id" not in params
    assert params["redirect_uri"] == "http://localhost/tiktok/callback"
    assert params["scope"] == "user.info.basic,video.upload"
    assert params["code_challenge_method"] == "S256"
    assert len(params["code_challenge"]) == 64
    int(params["code_challenge"], 16)
    with app.app_context():
        flow = db.session.scalar(select(OAuthFlow))
        assert params["state"] not in (flow.state_hash, flow.public_id)
        assert params["state"] not in response.headers.get("Set-Cookie", "")


def test_connect_requires_csrf_and_admin(app, client, users, auth, admin_client):
    staff = app.test_client()
    AuthActions(app, staff).login("staff@example.com", STAFF_PASSWORD)
    page = staff.get("/tiktok/").get_data(as_text=True)
    assert "Only an admin can connect" in page
    token = csrf_token(staff, "/tiktok/")
    assert staff.post("/tiktok/connect", data={"csrf_token": token}).status_code == 403
    assert admin_client.post("/tiktok/connect").status_code == 400
    assert admin_client.get("/tiktok/connect").status_code == 405
    assert app.test_client().get("/tiktok/").status_code == 302


def test_denial_shows_a_clear_page_and_stores_nothing(app, admin_client, sandbox):
    response = connect_tiktok(admin_client, sandbox, decision="deny")
    assert response.status_code == 303 and response.headers["Location"].endswith("/tiktok/")
    page = admin_client.get("/tiktok/").get_data(as_text=True)
    assert "You cancelled: nothing was connected." in page and "Traceback" not in page
    assert _accounts(app) == []


def test_replayed_callback_is_refused(app, admin_client, sandbox, http):
    token = csrf_token(admin_client, "/tiktok/")
    started = admin_client.post("/tiktok/connect", data={"csrf_token": token})
    params = dict(parse_qsl(urlsplit(started.headers["Location"]).query))
    answer = http.post(sandbox.url + "/_sandbox/authorize", json={**params, "creator": "acme"})
    callback = urlsplit(answer.json()["redirect_url"])
    url = f"{callback.path}?{callback.query}"
    assert admin_client.get(url).status_code == 302
    with admin_client.session_transaction() as sess:  # even with the flow cookie put back
        sess["tiktok_flow:connect"] = "anything"
    again = admin_client.get(url)
    assert again.status_code == 400
    assert "not recognised" in again.get_data(as_text=True) or "already" in again.get_data(
        as_text=True
    )
    assert sandbox.state.counters["tokens_issued"] == 1


def test_replay_with_original_cookie_is_refused_as_used(app, admin_client, sandbox, http):
    token = csrf_token(admin_client, "/tiktok/")
    started = admin_client.post("/tiktok/connect", data={"csrf_token": token})
    with admin_client.session_transaction() as sess:
        cookie = sess["tiktok_flow:connect"]
    params = dict(parse_qsl(urlsplit(started.headers["Location"]).query))
    answer = http.post(sandbox.url + "/_sandbox/authorize", json={**params, "creator": "acme"})
    callback = urlsplit(answer.json()["redirect_url"])
    url = f"{callback.path}?{callback.query}"
    assert admin_client.get(url).status_code == 302
    with admin_client.session_transaction() as sess:
        sess["tiktok_flow:connect"] = cookie
    again = admin_client.get(url)
    assert again.status_code == 400
    assert "already" in again.get_data(as_text=True)
    assert sandbox.state.counters["tokens_issued"] == 1


def test_missing_state_is_refused(app, admin_client, sandbox):
    response = admin_client.get("/tiktok/callback?code=abc&scopes=user.info.basic")
    assert response.status_code == 400
    assert "no state" in response.get_data(as_text=True)
    assert _accounts(app) == []


def test_tampered_state_is_refused(app, admin_client, sandbox, http):
    token = csrf_token(admin_client, "/tiktok/")
    started = admin_client.post("/tiktok/connect", data={"csrf_token": token})
    params = dict(parse_qsl(urlsplit(started.headers["Location"]).query))
    params["state"] = params["state"][:-2] + "xx"
    answer = http.post(sandbox.url + "/_sandbox/authorize", json={**params, "creator": "acme"})
    callback = urlsplit(answer.json()["redirect_url"])
    response = admin_client.get(f"{callback.path}?{callback.query}")
    assert response.status_code == 400
    assert "not recognised" in response.get_data(as_text=True)
    assert _accounts(app) == []
    assert sandbox.state.counters["tokens_issued"] == 0


def test_state_from_another_browser_is_refused(app, admin_client, sandbox, http):
    """Login CSRF: someone else's valid state/code pasted into our session."""
    other = app.test_client()
    AuthActions(app, other).login()
    token = csrf_token(other, "/tiktok/")
    started = other.post("/tiktok/connect", data={"csrf_token": token})
    params = dict(parse_qsl(urlsplit(started.headers["Location"]).query))
    answer = http.post(sandbox.url + "/_sandbox/authorize", json={**params, "creator": "quiet"})
    callback = urlsplit(answer.json()["redirect_url"])
    csrf_token(admin_client, "/tiktok/")
    response = admin_client.get(f"{callback.path}?{callback.query}")
    assert response.status_code == 400
    assert _accounts(app) == []


def test_code_replay_is_refused_by_tiktok_and_nothing_is_stored(app, admin_client, sandbox, http):
    """The same code used twice (a second flow with a stolen code) fails at the exchange."""
    token = csrf_token(admin_client, "/tiktok/")
    first = admin_client.post("/tiktok/connect", data={"csrf_token": token})
    params = dict(parse_qsl(urlsplit(first.headers["Location"]).query))
    answer = http.post(sandbox.url + "/_sandbox/authorize", json={**params, "creator": "acme"})
    code = dict(parse_qsl(urlsplit(answer.json()["redirect_url"]).query))["code"]
    assert (
        admin_client.get(
            urlsplit(answer.json()["redirect_url"]).path
            + "?"
            + urlsplit(answer.json()["redirect_url"]).query
        ).status_code
        == 302
    )
    second = admin_client.post("/tiktok/connect", data={"csrf_token": token})
    state2 = dict(parse_qsl(urlsplit(second.headers["Location"]).query))["state"]
    response = admin_client.get(f"/tiktok/callback?code={code}&state={state2}")
    assert response.status_code == 400
    assert "expired or already used" in response.get_data(as_text=True)
    assert sandbox.state.counters["code_replays"] == 1
    (account,) = _accounts(app)  # the replay revoked the grant at TikTok; our row is unchanged


def test_expired_flow_is_refused(app, admin_client, sandbox, http):
    token = csrf_token(admin_client, "/tiktok/")
    started = admin_client.post("/tiktok/connect", data={"csrf_token": token})
    params = dict(parse_qsl(urlsplit(started.headers["Location"]).query))
    answer = http.post(sandbox.url + "/_sandbox/authorize", json={**params, "creator": "acme"})
    import datetime as dt

    with app.app_context():
        flow = db.session.scalar(select(OAuthFlow))
        flow.expires_at = flow.created_at - dt.timedelta(seconds=1)
        db.session.commit()
    callback = urlsplit(answer.json()["redirect_url"])
    response = admin_client.get(f"{callback.path}?{callback.query}")
    assert response.status_code == 400
    assert "took too long" in response.get_data(as_text=True)
    assert sandbox.state.counters["tokens_issued"] == 0


def test_exchange_failure_is_readable(app, admin_client, sandbox, http):
    token = csrf_token(admin_client, "/tiktok/")
    started = admin_client.post("/tiktok/connect", data={"csrf_token": token})
    params = dict(parse_qsl(urlsplit(started.headers["Location"]).query))
    answer = http.post(sandbox.url + "/_sandbox/authorize", json={**params, "creator": "acme"})
    http.post(
        sandbox.url + "/_sandbox/faults",
        json={"fail_next": [{"endpoint": "/v2/oauth/token/", "count": 1, "kind": "503"}]},
    )
    callback = urlsplit(answer.json()["redirect_url"])
    response = admin_client.get(f"{callback.path}?{callback.query}")
    assert response.status_code == 502
    page = response.get_data(as_text=True)
    assert "temporarily_unavailable" in page and "Nothing was stored" in page
    assert _accounts(app) == []


def test_declined_optional_scope_shows_granted_scopes(app, admin_client, sandbox):
    connect_tiktok(admin_client, sandbox, granted=["user.info.basic"])
    (account,) = _accounts(app)
    assert account.scope_list == ["user.info.basic"]
    page = admin_client.get("/tiktok/").get_data(as_text=True)
    assert "did not allow: Send videos to your TikTok inbox as drafts." in page
    visible = page.split('<details class="tech small">')[0]
    assert "video.upload" not in visible and "user.info.basic" not in visible  # codes: details


def test_direct_post_asks_for_publish_and_offers_upgrade(make_sandbox_app, sandbox, users):
    app = make_sandbox_app(
        TIKTOK_DIRECT_POST=True,
    )
    client = app.test_client()
    AuthActions(app, client).login()
    connect_tiktok(client, sandbox, granted=["user.info.basic", "video.upload"])
    page = client.get("/tiktok/").get_data(as_text=True)
    assert "Upgrade permissions" in page
    token = csrf_token(client, "/tiktok/")
    started = client.post("/tiktok/connect", data={"csrf_token": token})
    params = dict(parse_qsl(urlsplit(started.headers["Location"]).query))
    assert params["scope"] == "user.info.basic,video.upload,video.publish"
    assert params["disable_auto_auth"] == "1"
    connect_tiktok(client, sandbox)
    with app.app_context():
        assert db.session.scalar(select(func.count(Account.id))) == 1
        account = db.session.scalar(select(Account))
        assert account.has_scope("video.publish")
    assert "Upgrade permissions" not in client.get("/tiktok/").get_data(as_text=True)


def test_redirect_base_override(make_sandbox_app, users):
    app = make_sandbox_app(
        TIKTOK_REDIRECT_BASE="https://studio.example.com/",
    )
    client = app.test_client()
    AuthActions(app, client).login()
    token = csrf_token(client, "/tiktok/")
    started = client.post("/tiktok/connect", data={"csrf_token": token})
    params = dict(parse_qsl(urlsplit(started.headers["Location"]).query))
    assert params["redirect_uri"] == "https://studio.example.com/tiktok/callback"


def test_behind_a_proxy_the_redirect_is_public_url_whatever_the_headers(make_sandbox_app, users):
    app = make_sandbox_app(
        PROXY_FIX_X_PROTO=1, PROXY_FIX_X_HOST=1, PUBLIC_URL="https://studio.example.com"
    )
    client = app.test_client()
    AuthActions(app, client).login()
    token = csrf_token(client, "/tiktok/")
    started = client.post(
        "/tiktok/connect",
        data={"csrf_token": token},
        headers={
            "X-Forwarded-Proto": "http",
            "X-Forwarded-Host": "evil.example",
            "Referer": "http://evil.example/tiktok/",
        },
    )
    params = dict(parse_qsl(urlsplit(started.headers["Location"]).query))
    assert params["redirect_uri"] == "https://studio.example.com/tiktok/callback"


def test_the_callback_comes_from_public_url_not_the_request(app):
    from studio.platforms.tiktok.oauth import redirect_uri_for

    app.config["PUBLIC_URL"] = "https://studio.example.com"
    with app.test_request_context("/tiktok/connect", base_url="http://evil.example"):
        assert redirect_uri_for("tiktok.callback") == "https://studio.example.com/tiktok/callback"
