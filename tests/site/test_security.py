"""Security headers, error pages, CSRF on every POST route, login on every staff page."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from studio.config import ConfigError
from studio.errors import StudioForbidden
from tests.helpers import csrf_token

PUBLIC_GET = {
    "/",
    "/privacy",
    "/terms",
    "/data-deletion",
    "/revoke",
    "/contact",
    "/contact/sent",
    "/auth/login",
    "/healthz",
}


def _get_rules(app: Flask):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.arguments - {"user_id"} and rule.arguments:
            continue
        yield rule


@pytest.mark.parametrize("path", sorted(PUBLIC_GET))
def test_security_headers_on_every_public_page(client, path):
    response = client.get(path)
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    script_src = re.search(r"script-src ([^;]+)", csp).group(1)
    assert "'unsafe-inline'" not in script_src
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Strict-Transport-Security" not in response.headers  # only in production


def test_headers_on_error_pages(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Content-Security-Policy" in response.headers
    assert b"There is nothing at this address." in response.data


def test_hsts_and_secure_cookies_in_production(make_app):
    app = make_app(
        ENV="production",
        TRUSTED_HOSTS=["studio.example.com", "localhost"],
        TIKTOK_CLIENT_SECRET="real-secret",
        PUBLIC_URL="https://studio.example.com",
    )
    response = app.test_client().get("/", base_url="https://studio.example.com")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["MAX_CONTENT_LENGTH"]


def test_untrusted_host_refused_in_production(make_app):
    app = make_app(
        ENV="production",
        TRUSTED_HOSTS=["studio.example.com"],
        TIKTOK_CLIENT_SECRET="real-secret",
        PUBLIC_URL="https://studio.example.com",
    )
    response = app.test_client().get("/", base_url="http://evil.example")
    assert response.status_code == 400


@pytest.mark.parametrize("missing", ["SECRET_KEY", "VAULT_KEYS", "PUBLIC_URL"])
def test_production_refuses_to_start_without_secrets(tmp_path, monkeypatch, missing):
    from studio import create_app

    for key in ("SECRET_KEY", "VAULT_KEYS"):
        monkeypatch.delenv(f"STUDIO_{key}", raising=False)
    config = {
        "ENV": "production",
        "INSTANCE_PATH": str(tmp_path),
        "TRUSTED_HOSTS": ["x"],
        "SECRET_KEY": "s" * 40,
        "VAULT_KEYS": "k",
        "TIKTOK_CLIENT_SECRET": "real",
        "PUBLIC_URL": "https://studio.example.com",
    }
    config[missing] = None
    with pytest.raises(ConfigError, match=f"STUDIO_{missing}"):
        create_app(config)
    assert not (tmp_path / "config.py").exists()  # no default secret was generated


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://studio.example.com", "STUDIO_PUBLIC_URL must use https"),
        ("studio.example.com", "STUDIO_PUBLIC_URL must be an absolute URL"),
        ("https://studio.example.com/?x=1", "STUDIO_PUBLIC_URL must be an absolute URL"),
    ],
)
def test_production_refuses_a_public_url_that_is_not_https(tmp_path, url, problem):
    from studio import create_app

    config = {
        "ENV": "production",
        "INSTANCE_PATH": str(tmp_path),
        "TRUSTED_HOSTS": ["studio.example.com"],
        "SECRET_KEY": "s" * 40,
        "VAULT_KEYS": "k",
        "TIKTOK_CLIENT_SECRET": "real",
        "PUBLIC_URL": url,
    }
    with pytest.raises(ConfigError, match=problem):
        create_app(config)


def test_production_refuses_from_environment(tmp_path, monkeypatch):
    from studio import create_app

    monkeypatch.setenv("STUDIO_ENV", "production")
    monkeypatch.delenv("STUDIO_SECRET_KEY", raising=False)
    monkeypatch.delenv("STUDIO_VAULT_KEYS", raising=False)
    with pytest.raises(ConfigError, match="STUDIO_SECRET_KEY, STUDIO_VAULT_KEYS, STUDIO_TIKTOK"):
        create_app({"INSTANCE_PATH": str(tmp_path)})


def test_demo_generates_secrets_once_with_mode_0600(tmp_path, monkeypatch):
    from studio import create_app

    monkeypatch.delenv("STUDIO_ENV", raising=False)
    first = create_app({"INSTANCE_PATH": str(tmp_path), "ENV": "demo"})
    second = create_app({"INSTANCE_PATH": str(tmp_path), "ENV": "demo"})
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert first.config["VAULT_KEYS"] == second.config["VAULT_KEYS"]
    assert (tmp_path / "config.py").stat().st_mode & 0o777 == 0o600
    for app in (first, second):
        app.extensions["db"]["engine"].dispose()


def test_every_post_route_requires_csrf(app, admin_client):
    """Enumerate the URL map: every route accepting POST refuses a request without a token."""
    checked = 0
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.endpoint in app.extensions.get(
            "csrf_exempt_endpoints", set()
        ):
            continue
        view = app.view_functions[rule.endpoint]
        if getattr(view, "csrf_exempt", False) or _is_exempt(app, rule.endpoint):
            continue
        url = rule.build({arg: 1 for arg in rule.arguments}, append_unknown=False)[1]
        response = admin_client.post(url, data={"x": "1"})
        assert response.status_code in (400, 403), (rule.rule, response.status_code)
        checked += 1
    assert checked >= 5


def _is_exempt(app: Flask, endpoint: str) -> bool:
    csrf = app.extensions["csrf"]
    view = app.view_functions[endpoint]
    name = f"{view.__module__}.{view.__name__}"
    return name in csrf._exempt_views or (
        app.blueprints.get(endpoint.split(".")[0])
        and endpoint.split(".")[0] in csrf._exempt_blueprints
    )


def test_staff_pages_require_login(app, client):
    """Every GET route outside the public set redirects anonymous visitors to sign in."""
    public_prefixes = (
        "/static/",
        "/webhooks/",
        "/media/",
        "/data-deletion",
        "/data-requests",
        "/privacy/verify",
        "/revoke",
        "/auth/two-factor",
    )
    checked = 0
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.rule in PUBLIC_GET:
            continue
        if rule.rule.startswith(public_prefixes) or rule.rule in ("/auth/login",):
            continue
        url = rule.build({arg: 1 for arg in rule.arguments}, append_unknown=False)[1]
        response = client.get(url)
        assert response.status_code in (302, 401), (rule.rule, response.status_code)
        if response.status_code == 302:
            assert "/auth/login" in response.headers["Location"], rule.rule
        checked += 1
    assert checked >= 3


def test_admin_pages_refuse_staff(staff_client):
    assert staff_client.get("/staff/").status_code == 403
    assert staff_client.get("/staff/1").status_code == 403
    token = csrf_token(staff_client, "/dashboard/")
    response = staff_client.post(
        "/staff/", data={"email": "x@example.com", "role": "admin", "csrf_token": token}
    )
    assert response.status_code == 403


def test_405_page(client):
    response = client.post("/privacy")
    assert response.status_code in (400, 405)
    response = client.put("/terms")
    assert response.status_code == 405
    assert b"does not accept" in response.data


def test_500_page_shows_no_internals(make_app):
    app = make_app()

    @app.route("/boom")
    def boom():
        raise RuntimeError("secret internal detail")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert b"secret internal detail" not in response.data
    assert b"Traceback" not in response.data
    assert b"Something went wrong" in response.data


def test_studio_errors_show_their_message(make_app):
    app = make_app()

    @app.route("/refused")
    def refused():
        raise StudioForbidden("Only the owner may open this.")

    client = app.test_client()
    response = client.get("/refused")
    assert response.status_code == 403
    assert b"Only the owner may open this." in response.data
    response = client.get("/refused", headers={"Accept": "application/json"})
    assert response.status_code == 403
    assert response.get_json()["error"]["message"] == "Only the owner may open this."


def test_413_page(make_app):
    app = make_app(MAX_CONTENT_LENGTH=100)
    token = csrf_token(app.test_client(), "/auth/login")
    response = app.test_client().post("/auth/login", data={"email": "a" * 500, "csrf_token": token})
    assert response.status_code == 413
    assert b"larger than" in response.data


def test_proxy_fix_gives_public_https_urls(make_app):
    app = make_app(PROXY_FIX_X_FOR=1, PROXY_FIX_X_PROTO=1, PROXY_FIX_X_HOST=1)

    @app.route("/whereami")
    def whereami():
        from flask import url_for

        return url_for("site.home", _external=True)

    response = app.test_client().get(
        "/whereami",
        headers={"X-Forwarded-Proto": "https", "X-Forwarded-Host": "studio.example.com"},
    )
    assert response.get_data(as_text=True) == "https://studio.example.com/"


def test_the_demo_moves_another_host_name_to_public_url(tmp_path):
    from studio import create_app

    app = create_app({"INSTANCE_PATH": str(tmp_path), "ENV": "demo"})
    client = app.test_client()
    moved = client.get("/privacy?x=1", base_url="http://localhost:5000")
    assert moved.status_code == 302
    assert moved.headers["Location"] == "http://127.0.0.1:5000/privacy?x=1"
    served = client.get("/static/css/app.css", base_url="http://127.0.0.1:5000")
    assert served.status_code == 200
    served.close()
    app.extensions["db"]["engine"].dispose()
