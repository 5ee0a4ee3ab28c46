"""Who may connect, CSRF, YouTube off unless configured, production's check, demo, dashboard."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from studio import db
from studio.config import ConfigError
from studio.platforms import registry
from studio.platforms.models import Account
from tests.conftest import AuthActions
from tests.helpers import STAFF_PASSWORD, csrf_token
from tests.platforms.youtube.app_support import connect_youtube

PRODUCTION = {
    "ENV": "production",
    "TRUSTED_HOSTS": ["studio.example.com"],
    "TIKTOK_CLIENT_SECRET": "real-secret",
    "PUBLIC_URL": "https://studio.example.com",
}


def test_only_admins_connect_and_disconnect_and_every_post_needs_csrf(yt_app, yt_admin, browser):
    assert connect_youtube(yt_admin, browser).status_code == 303
    with yt_app.app_context():
        account_id = db.session.scalars(select(Account.id)).one()
    staff = yt_app.test_client()
    assert AuthActions(yt_app, staff).login("staff@example.com", STAFF_PASSWORD).status_code == 302
    page = staff.get("/youtube/")
    shown = page.get_data(as_text=True)
    assert page.status_code == 200 and "Acme Studio" in shown and "Disconnect" not in shown
    token = csrf_token(staff, "/dashboard/")
    assert staff.post("/youtube/connect", data={"csrf_token": token}).status_code == 403
    disconnect = f"/youtube/{account_id}/disconnect"
    assert staff.post(disconnect, data={"csrf_token": token}).status_code == 403
    assert staff.get("/youtube/callback?state=x&code=y").status_code == 403
    assert yt_admin.post("/youtube/connect").status_code == 400  # no CSRF token
    assert yt_admin.post(disconnect, data={"csrf_token": "forged"}).status_code == 400
    anonymous = yt_app.test_client()
    assert anonymous.post("/youtube/connect").status_code in (302, 400, 401)
    with yt_app.app_context():
        assert db.session.get(Account, account_id).data_key  # still connected


def test_youtube_is_off_unless_its_client_id_is_configured(app, users):
    admin_client = app.test_client()  # (`client` here is the YouTube client of the sandbox)
    assert AuthActions(app, admin_client).login().status_code == 302
    assert admin_client.get("/youtube/").status_code == 404
    dashboard = admin_client.get("/dashboard/").get_data(as_text=True)
    assert "YouTube" not in dashboard and "TikTok account" in dashboard


def test_the_dashboard_shows_a_youtube_card_when_enabled(yt_app, yt_admin, browser):
    card = yt_admin.get("/dashboard/").get_data(as_text=True)
    assert "YouTube channel" in card and "No YouTube channel is connected yet." in card
    assert "TikTok account" in card
    assert connect_youtube(yt_admin, browser).status_code == 303
    assert "Acme Studio: connected" in yt_admin.get("/dashboard/").get_data(as_text=True)


def test_account_choices_name_every_platform(yt_app, yt_admin, browser):
    assert connect_youtube(yt_admin, browser).status_code == 303
    with yt_app.app_context():
        db.session.add(Account(platform="tiktok", remote_id="open-1", display_name="Acme Tok"))
        db.session.commit()
        labels = [label for _value, label in registry.account_choices(db.session)]
    assert any(label.startswith("TikTok: Acme Tok") for label in labels)
    assert any(label.startswith("YouTube: Acme Studio") for label in labels)


def test_the_connect_redirect_may_reach_googles_consent_page(yt_app, yt_admin):
    policy = yt_admin.get("/youtube/").headers["Content-Security-Policy"]
    form_action = next(d for d in policy.split("; ") if d.startswith("form-action"))
    assert yt_app.config["GOOGLE_AUTH_URL"].split("/google/")[0] in form_action


def test_production_refuses_youtube_without_its_secret(make_app):
    with pytest.raises(ConfigError, match="STUDIO_YOUTUBE_CLIENT_SECRET"):
        make_app(**PRODUCTION, YOUTUBE_CLIENT_ID="id.apps.googleusercontent.com")
    app = make_app(
        **PRODUCTION, YOUTUBE_CLIENT_ID="id.apps.googleusercontent.com", YOUTUBE_CLIENT_SECRET="s"
    )
    assert app.config["GOOGLE_TOKEN_URL"] == "https://oauth2.googleapis.com/token"
    assert app.config["GOOGLE_AUTH_URL"] == "https://accounts.google.com/o/oauth2/v2/auth"
    assert app.config["GOOGLE_REVOKE_URL"] == "https://oauth2.googleapis.com/revoke"
    assert app.config["YOUTUBE_API_BASE"] == "https://www.googleapis.com"
    assert make_app(**PRODUCTION).config["YOUTUBE_CLIENT_ID"] is None  # off: no secret needed


def test_demo_mode_points_youtube_at_the_sandbox(make_app):
    app = make_app(ENV="demo", SANDBOX_PORT=5999)
    sandbox = "http://127.0.0.1:5999/google"
    assert app.config["YOUTUBE_CLIENT_ID"] and app.config["YOUTUBE_CLIENT_SECRET"]
    assert app.config["GOOGLE_AUTH_URL"] == f"{sandbox}/o/oauth2/v2/auth"
    assert app.config["GOOGLE_TOKEN_URL"] == f"{sandbox}/token"
    assert app.config["GOOGLE_REVOKE_URL"] == f"{sandbox}/revoke"
    assert app.config["YOUTUBE_API_BASE"] == sandbox
