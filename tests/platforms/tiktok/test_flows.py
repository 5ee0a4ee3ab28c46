"""start_flow/finish_flow reused for another purpose (the privacy room's "verify with TikTok")."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
from flask import Blueprint, Flask, redirect, request
from sqlalchemy import select

from studio import db
from studio.platforms.tiktok import services

CALLBACK = "http://localhost/_test/verify/callback"


@pytest.fixture
def verify_app(app: Flask, sandbox) -> Flask:
    """The app plus a public verify round trip, as another room would add it."""
    bp = Blueprint("verify_test", __name__, url_prefix="/_test/verify")

    @bp.get("/start")
    def start():
        url = services.start_flow(
            "verify", ["user.info.basic"], "verify_test.callback", {"request_id": 7}
        )
        return redirect(url, 303)

    @bp.get("/callback")
    def callback():
        try:
            tokens, flow = services.finish_flow("verify", request.args)
        except services.FlowError as exc:
            return exc.message, exc.status
        return {"open_id": tokens.open_id, "context": services.flow_context(flow)}

    app.register_blueprint(bp)
    sandbox.configure(redirect_uris=[*sandbox.state.config.redirect_uris, CALLBACK])
    return app


def approve(sandbox, http, location: str, creator: str = "quiet") -> str:
    params = dict(parse_qsl(urlsplit(location).query))
    answer = http.post(sandbox.url + "/_sandbox/authorize", json={**params, "creator": creator})
    url = urlsplit(answer.json()["redirect_url"])
    return f"{url.path}?{url.query}"


def test_anonymous_verify_round_trip(verify_app, sandbox, http):
    browser = verify_app.test_client()
    started = browser.get("/_test/verify/start")
    params = dict(parse_qsl(urlsplit(started.headers["Location"]).query))
    assert params["scope"] == "user.info.basic" and params["redirect_uri"] == CALLBACK
    answer = browser.get(approve(sandbox, http, started.headers["Location"]))
    assert answer.status_code == 200
    assert answer.json == {
        "open_id": "sbx-2b8e4d7f-0002-4c1a-8b32-quiet0000002",
        "context": {"request_id": 7},
    }


def test_a_flow_cannot_finish_under_another_purpose(verify_app, sandbox, http, admin_client):
    started = admin_client.get("/_test/verify/start")
    callback = approve(sandbox, http, started.headers["Location"])
    wrong = admin_client.get("/tiktok/callback?" + urlsplit(callback).query)
    assert wrong.status_code == 400
    assert sandbox.state.counters["tokens_issued"] == 0


def test_another_browser_cannot_finish_it(verify_app, sandbox, http):
    started = verify_app.test_client().get("/_test/verify/start")
    callback = approve(sandbox, http, started.headers["Location"])
    assert verify_app.test_client().get(callback).status_code == 400


def test_the_verifier_is_forgotten_once_used(verify_app, sandbox, http):
    from studio.platforms.tiktok.models import OAuthFlow

    browser = verify_app.test_client()
    started = browser.get("/_test/verify/start")
    browser.get(approve(sandbox, http, started.headers["Location"]))
    with verify_app.app_context():
        (flow,) = db.session.scalars(select(OAuthFlow)).all()
        assert flow.used_at is not None and flow.verifier_enc is None
        assert flow.user_id is None and flow.purpose == "verify"
