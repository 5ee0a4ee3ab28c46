"""Every sentence the policy renders is a registered claim with a proving test that exists,
and nothing exists (cookie, instance file, external host) that the policy does not declare."""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path

import pytest

from studio.privacy import claims, inventory
from studio.privacy.policy import PLATFORMS
from tests.helpers import ADMIN_PASSWORD, csrf_token

ROOT = Path(__file__).resolve().parents[2]
PG_URL = "postgresql+psycopg://studio@db.internal/studio"
CONFIGS = {
    "defaults": {},
    "sqlite": {"DATABASE_URL": "sqlite:////srv/studio/instance/studio.db"},
    "postgresql": {"DATABASE_URL": PG_URL},
    "everything on": {
        "SMTP_HOST": "smtp.example.net",
        "META_APP_SECRET": "meta-secret",
        "OPERATOR_HOSTING": "Example Hosting AB, Sweden",
        "OPERATOR_COUNTRY": "Germany",
        "OPERATOR_AI_CONTENT": True,
        "WEBHOOK_OPENS_DELETION": True,
        "YOUTUBE_CLIENT_ID": "id.apps.googleusercontent.com",
        "META_APP_ID": "1234567890123456",
    },
}


def _policy(app, **config) -> str:
    """The policy page rendered under ``config`` (the database URL only changes the text)."""
    saved = {k: app.config.get(k) for k in config}
    app.config.update(config)
    try:
        return app.test_client().get("/privacy").get_data(as_text=True)
    finally:
        app.config.update(saved)


def _rendered(page: str, attribute: str) -> list[str]:
    return re.findall(rf'{attribute}="([^"]+)"', page)


def _test_exists(node: str) -> bool:
    path, _, name = node.partition("::")
    source = ROOT / path
    name = name.split("[", 1)[0]
    return source.is_file() and re.search(rf"^def {name}\(", source.read_text(), re.M) is not None


def _proofs(kind: str, key: str) -> tuple[str, ...]:
    if kind == "data-claim":
        return claims.by_key()[key].proofs
    if kind == "data-cookie":
        return claims.COOKIE_PROOFS
    return claims.INVENTORY_PROOFS.get(key, ())


@pytest.mark.parametrize("name", list(CONFIGS))
def test_every_rendered_statement_names_proving_tests_that_exist(app, name):
    page = _policy(app, **CONFIGS[name])
    registry = claims.by_key()
    missing = []
    for kind in ("data-claim", "data-inventory", "data-cookie"):
        for key in _rendered(page, kind):
            if kind == "data-claim" and registry[key].kind == "law":
                continue
            proofs = _proofs(kind, key)
            bad = [p for p in proofs if not _test_exists(p)]
            if not proofs or bad:
                missing.append((kind, key, bad or "no proof"))
    assert missing == []


def test_every_claim_is_rendered_under_some_configuration(app):
    seen = set()
    for config in CONFIGS.values():
        seen |= set(_rendered(_policy(app, **config), "data-claim"))
    assert seen == set(claims.by_key())


def test_every_dataset_and_store_is_on_the_page(app):
    page = _policy(app)
    keys = {ds.key for ds in inventory.DATASETS} | {s.key for s in inventory.STORES}
    assert set(_rendered(page, "data-inventory")) == keys


def test_the_database_statement_follows_the_configured_database(app):
    sqlite = _rendered(_policy(app, DATABASE_URL="sqlite:////srv/studio.db"), "data-claim")
    assert "overwritten" in sqlite and "not_overwritten" not in sqlite
    postgres = _policy(app, DATABASE_URL=PG_URL)
    assert "not_overwritten" in _rendered(postgres, "data-claim")
    assert "overwritten" not in _rendered(postgres, "data-claim")
    assert "does not overwrite deleted rows" in postgres


def test_optional_statements_follow_the_configuration(app):
    plain = _policy(app)
    assert "not directed at children" in plain
    assert {"hosting", "ai_content"}.isdisjoint(_rendered(plain, "data-claim"))
    assert "hosts the service" not in plain
    full = _policy(app, **CONFIGS["everything on"])
    assert "Example Hosting AB, Sweden hosts the service for us" in full
    assert "outside Germany" in full
    assert "direct posts carry TikTok&#39;s AI-generated content label" in full


def _set_cookies(response) -> set[str]:
    """Names of cookies a response sets with a value (deletions do not count)."""
    names = set()
    for header in response.headers.getlist("Set-Cookie"):
        name, _, rest = header.partition("=")
        if not rest.startswith(";") and "Max-Age=0" not in rest:
            names.add(name)
    return names


def test_cookies_of_a_full_run_are_declared(app, users):
    declared = {c["name"] for c in claims.cookies(app.config)}
    assert set(_rendered(_policy(app), "data-cookie")) == declared
    seen: set[str] = set()
    visitor = app.test_client()
    for url in ("/", "/privacy", "/terms", "/contact/sent", "/healthz"):
        assert _set_cookies(visitor.get(url)) == set(), url  # no form, no cookie
    for url in ("/data-deletion", "/revoke", "/contact"):
        seen |= _set_cookies(visitor.get(url))
    token = csrf_token(visitor, "/contact")
    form = {"name": "A", "email": "a@example.org", "message": "Hi", "csrf_token": token}
    seen |= _set_cookies(visitor.post("/contact", data=form))
    form = {"kind": "email", "email": "a@example.org", "csrf_token": token}
    seen |= _set_cookies(visitor.post("/data-deletion", data=form))
    staff = app.test_client()
    login = {
        "email": users["admin"],
        "password": ADMIN_PASSWORD,
        "remember": "y",
        "csrf_token": csrf_token(staff, "/auth/login"),
    }
    response = staff.post("/auth/login", data=login)
    assert response.status_code == 302, response.get_data(as_text=True)
    seen |= _set_cookies(response)
    for url in ("/dashboard/", "/videos/", "/posts/", "/tiktok/", "/audit/", "/privacy/requests"):
        seen |= _set_cookies(staff.get(url))
    assert "remember_token" in seen and seen <= declared, seen - declared


def _files(instance: Path) -> list[str]:
    return [p.relative_to(instance).as_posix() for p in instance.rglob("*") if p.is_file()]


def test_every_instance_file_is_declared(app, client, sent_post, sandbox):
    from tests.privacy.conftest import delete_now, file_request, verify_with_tiktok

    file_request(client)
    verify_with_tiktok(client, sandbox)
    delete_now(client)
    token = csrf_token(client, "/contact")
    form = {"name": "A", "email": "a@example.org", "message": "Hi", "csrf_token": token}
    client.post("/contact", data=form)
    instance = Path(app.instance_path)
    undeclared = [
        f
        for f in _files(instance)
        if not any(fnmatch.fnmatch(f, pattern) for pattern in inventory.INSTANCE_FILES)
    ]
    assert undeclared == []
    assert any(f.startswith("outbox/") for f in _files(instance))
    assert "deletion-ledger.jsonl" in _files(instance)


_URL = re.compile(r"https?://([a-zA-Z0-9.\-]+)")
# Hosts named in code that nobody's data goes to: placeholders, loopback and XML namespaces.
NOT_RECIPIENTS = {"example.com", "studio.example.com", "127.0.0.1", "localhost", "www.w3.org"}


def test_clients_talk_only_to_declared_hosts():
    """Every external host the code (outside the local sandbox) names belongs to a platform
    the policy lists; configured hosts (SMTP, Redis, the database) are declared by claims."""
    declared = {host for platform in PLATFORMS for host in platform.hosts}
    found = set()
    for folder in ("studio", "templates", "static"):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix not in {".py", ".html", ".js", ".css"} or "sandbox" in path.parts:
                continue
            found |= set(_URL.findall(path.read_text(errors="replace")))
    assert found - NOT_RECIPIENTS <= declared, found - NOT_RECIPIENTS - declared
    assert "smtp" in claims.by_key() and "hosting" in claims.by_key()
