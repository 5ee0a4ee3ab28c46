"""Meta as configured: production needs the secret, demo uses the sandbox, pages and panels."""

from __future__ import annotations

import pytest

from studio import db
from studio.config import ConfigError
from studio.platforms import registry
from studio.sandbox.meta.config import MetaConfig
from tests.platforms.meta.app_support import connect_and_choose
from tests.platforms.youtube.test_access import PRODUCTION


def test_production_refuses_meta_without_its_secret(make_app):
    with pytest.raises(ConfigError, match="STUDIO_META_APP_SECRET"):
        make_app(**PRODUCTION, META_APP_ID="1234567890123456")
    app = make_app(**PRODUCTION, META_APP_ID="1234567890123456", META_APP_SECRET="s")
    assert app.config["META_AUTH_URL"] == "https://www.facebook.com/{version}/dialog/oauth"
    assert app.config["META_GRAPH_BASE"] == "https://graph.facebook.com"
    assert app.config["META_UPLOAD_BASE"] == "https://rupload.facebook.com"
    assert app.config["META_GRAPH_VERSION"] == "v27.0"
    off = make_app(**PRODUCTION)
    assert off.config["META_APP_ID"] is None and "meta.index" not in off.view_functions


def test_demo_mode_points_meta_at_the_sandbox(make_app):
    app = make_app(ENV="demo", SANDBOX_PORT=5999)
    sandbox = "http://127.0.0.1:5999/meta"
    defaults = MetaConfig()
    assert app.config["META_APP_ID"] == defaults.app_id
    assert app.config["META_APP_SECRET"] == defaults.app_secret
    assert app.config["META_AUTH_URL"] == f"{sandbox}/{{version}}/dialog/oauth"
    assert app.config["META_GRAPH_BASE"] == f"{sandbox}/graph"
    assert app.config["META_UPLOAD_BASE"] == f"{sandbox}/rupload"
    assert "meta.index" in app.view_functions


def test_the_connect_redirect_may_reach_the_login_dialog(meta_app, meta_admin, meta_sandbox):
    policy = meta_admin.get("/meta/").headers["Content-Security-Policy"]
    form_action = next(d for d in policy.split("; ") if d.startswith("form-action"))
    assert meta_sandbox.url in form_action


def test_accounts_show_on_the_dashboard_nav_and_audit_filter(meta_app, meta_admin, fb):
    empty = meta_admin.get("/dashboard/").get_data(as_text=True)
    assert "No Facebook Page or Instagram account is connected yet." in empty
    connect_and_choose(meta_admin, fb)
    page = meta_admin.get("/dashboard/").get_data(as_text=True)
    assert "Acme Studio: connected" in page and "Facebook &amp; Instagram" in page
    with meta_app.app_context():
        labels = [label for _value, label in registry.account_choices(db.session)]
    assert any(label.startswith("Facebook: Acme Studio") for label in labels)
    assert any(label.startswith("Instagram: Acme Studio") for label in labels)
