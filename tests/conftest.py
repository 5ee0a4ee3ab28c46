"""Shared fixtures: app (temporary instance and database), client, runner, auth, sandbox."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
from cryptography.fernet import Fernet
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import create_engine, select, text

from studio import create_app, db
from studio.auth import services as auth_services
from studio.auth.models import Role, User
from studio.cli import upgrade_database
from studio.sandbox.server import SandboxServer
from tests import smtp
from tests.helpers import ADMIN_PASSWORD, STAFF_PASSWORD, csrf_token

# The suite runs on PostgreSQL when STUDIO_TEST_DATABASE_URL names a server, unless
# STUDIO_TEST_ON_SQLITE is set: `make test` runs it once each way. tests/deploy always uses
# the server.
PG_URL = (
    None if os.environ.get("STUDIO_TEST_ON_SQLITE") else os.environ.get("STUDIO_TEST_DATABASE_URL")
)


def base_config(instance: Path) -> dict[str, object]:
    """Configuration every test app starts from."""
    return {
        "ENV": "testing",
        "TESTING": True,
        "INSTANCE_PATH": str(instance),
        "SECRET_KEY": "test-secret-key-" + "x" * 32,
        "VAULT_KEYS": Fernet.generate_key().decode(),
        "AUDIT_SEAL_KEY": "test-audit-seal-key",
        "DATABASE_URL": PG_URL or f"sqlite:///{instance / 'studio.db'}",
        "SQLITE_SYNCHRONOUS": "NORMAL",
        "HUEY_IMMEDIATE": True,
        "TIKTOK_AUTH_URL": "http://127.0.0.1:9/v2/auth/authorize/",
        "TIKTOK_API_BASE": "http://127.0.0.1:9",
        "TIKTOK_TIMEOUT": 5.0,
        "SERVER_NAME": None,
        "PUBLIC_URL": "http://localhost",  # where Flask's test client sends its requests
    }


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path | None:
    """Migrate once per session: a SQLite template file, or the PostgreSQL test database."""
    folder = tmp_path_factory.mktemp("template")
    app = create_app(base_config(folder))
    upgrade_database(app)
    app.extensions["db"]["engine"].dispose()
    return None if PG_URL else folder / "studio.db"


def _truncate_postgres() -> None:
    engine = create_engine(PG_URL)
    with engine.begin() as conn:
        tables = (
            conn.execute(
                text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                    "AND tablename <> 'alembic_version'"
                )
            )
            .scalars()
            .all()
        )
        if tables:
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def make_app(tmp_path: Path, migrated_template: Path | None) -> Iterator:
    """Build an app with extra config on a fresh, migrated database."""
    built: list[Flask] = []

    vault_keys = Fernet.generate_key().decode()  # shared: apps of one test read each other's rows

    def factory(**overrides: object) -> Flask:
        instance = tmp_path / "instance"
        instance.mkdir(exist_ok=True)
        (instance / "uploads").mkdir(exist_ok=True)
        if migrated_template is not None and not (instance / "studio.db").exists():
            shutil.copy(migrated_template, instance / "studio.db")
        elif migrated_template is None and not built:
            _truncate_postgres()
        app = create_app({**base_config(instance), "VAULT_KEYS": vault_keys, **overrides})
        built.append(app)
        return app

    yield factory
    for app in built:
        app.extensions["db"]["engine"].dispose()


@pytest.fixture
def app(make_app) -> Flask:
    return make_app()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


def make_user(app: Flask, email: str, password: str, role: Role = Role.STAFF) -> User:
    """Create a staff account directly through the service."""
    with app.app_context():
        return auth_services.create_user(db.session, email, password, role)


class AuthActions:
    """Sign in and out through the real login form."""

    def __init__(self, app: Flask, client: FlaskClient) -> None:
        self.app, self.client = app, client

    def login(
        self,
        email: str = "admin@example.com",
        password: str = ADMIN_PASSWORD,
        next_url: str | None = None,
    ):
        url = "/auth/login" + (f"?next={next_url}" if next_url else "")
        token = csrf_token(self.client, url)
        return self.client.post(
            url, data={"email": email, "password": password, "csrf_token": token}
        )

    def logout(self):
        token = csrf_token(self.client, "/dashboard/")
        return self.client.post("/auth/logout", data={"csrf_token": token})


@pytest.fixture
def smtp_server() -> Iterator[object]:
    """A loopback SMTP server; `.server_address` to configure, `.messages` what it took."""
    with smtp.serving() as server:
        yield server


@pytest.fixture
def users(app: Flask) -> dict[str, str]:
    """An admin and a staff member."""
    make_user(app, "admin@example.com", ADMIN_PASSWORD, Role.ADMIN)
    make_user(app, "staff@example.com", STAFF_PASSWORD, Role.STAFF)
    return {"admin": "admin@example.com", "staff": "staff@example.com"}


@pytest.fixture
def auth(app: Flask, client: FlaskClient, users: dict[str, str]) -> AuthActions:
    return AuthActions(app, client)


@pytest.fixture
def admin_client(auth: AuthActions) -> FlaskClient:
    """A client signed in as the admin."""
    response = auth.login()
    assert response.status_code == 302, response.data
    return auth.client


@pytest.fixture
def staff_client(auth: AuthActions) -> FlaskClient:
    """A client signed in as a staff member (not admin)."""
    response = auth.login("staff@example.com", STAFF_PASSWORD)
    assert response.status_code == 302, response.data
    return auth.client


@pytest.fixture(scope="session")
def sample_mp4(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A valid 3 s, 540x960, 30 fps H.264 MP4 (generated once per session; copy before changing)."""
    from studio.videos import samples

    return samples.make_video(tmp_path_factory.mktemp("samples") / "sample.mp4", pattern="flat")


@pytest.fixture
def make_stored_video(app: Flask, sample_mp4: Path, tmp_path: Path):
    """Build a `Video` row with its file: `make_stored_video(user=None, seconds=3.0, **shape)`.

    Without shape arguments the shared sample is used; each distinct shape is a distinct video.
    """
    from studio.videos import samples
    from studio.videos.services import create_video_from_file

    def factory(user: User | None = None, name: str = "product.mp4", **shape: object):
        path = sample_mp4
        if shape:
            path = samples.make_video(tmp_path / f"v{len(list(tmp_path.iterdir()))}.mp4", **shape)
        with app.app_context():
            owner = db.session.merge(user) if user is not None else None
            return create_video_from_file(db.session, path, name, owner)

    return factory


# TikTok sandbox fixtures (tiktok room). Point a room's tests at the sandbox with
# `@pytest.fixture def app(sandbox_app): return sandbox_app` in its conftest, or use
# `sandbox_client` / `connected_account` directly.

SANDBOX_REDIRECT_URIS = [
    "http://localhost/tiktok/callback",
    "http://localhost/privacy/verify/callback",
]


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    """The local TikTok on a loopback port, accepting the test app's callback URLs."""
    with SandboxServer(
        {"redirect_uris": list(SANDBOX_REDIRECT_URIS), "status_step_delay": 0.05}
    ) as server:
        yield server


@pytest.fixture
def make_sandbox_app(make_app, sandbox: SandboxServer) -> Callable[..., Flask]:
    """`make_app` with the TikTok client pointed at the sandbox; keyword arguments add config."""

    def factory(**config: object) -> Flask:
        return make_app(
            TIKTOK_AUTH_URL=sandbox.url + "/v2/auth/authorize/",
            TIKTOK_API_BASE=sandbox.url,
            **config,
        )

    return factory


@pytest.fixture
def sandbox_app(make_sandbox_app: Callable[..., Flask]) -> Flask:
    """An app whose TikTok client talks to the sandbox (same database as `app`)."""
    return make_sandbox_app()


@pytest.fixture
def sandbox_client(sandbox_app: Flask, users: dict[str, str]) -> FlaskClient:
    """A client of `sandbox_app` signed in as the admin."""
    client = sandbox_app.test_client()
    response = AuthActions(sandbox_app, client).login()
    assert response.status_code == 302, response.data
    return client


def connect_tiktok(
    client: FlaskClient,
    sandbox: SandboxServer,
    creator: str = "acme",
    granted: list[str] | None = None,
    decision: str = "approve",
):
    """Run the real flow: POST /tiktok/connect → sandbox approves → GET /tiktok/callback.

    Returns the callback's response (302 to /tiktok/ on success).
    """
    token = csrf_token(client, "/tiktok/")
    started = client.post("/tiktok/connect", data={"csrf_token": token})
    assert started.status_code == 303, started.data
    params = dict(parse_qsl(urlsplit(started.headers["Location"]).query))
    body: dict[str, object] = {**params, "creator": creator, "decision": decision}
    if granted is not None:
        body["granted"] = granted
    with requests.Session() as http:
        http.trust_env = False
        answer = http.post(sandbox.url + "/_sandbox/authorize", json=body, timeout=10)
    answer.raise_for_status()
    callback = urlsplit(answer.json()["redirect_url"])
    return client.get(f"{callback.path}?{callback.query}")


@pytest.fixture
def connected_account(sandbox_app: Flask, sandbox_client: FlaskClient, sandbox: SandboxServer):
    """A Account (detached row) connected through the real flow as the "acme" creator."""
    from studio.platforms.models import Account

    response = connect_tiktok(sandbox_client, sandbox)
    assert response.status_code == 302, response.get_data(as_text=True)
    with sandbox_app.app_context():
        return db.session.scalars(select(Account).order_by(Account.id.desc())).first()


def send_draft(app: Flask, account_id: int, video_id: int, admin_email: str, **fields: object):
    """Create a consented draft post to ``account_id`` as the admin and enqueue its send job.

    ``fields`` are Draft fields (caption, hashtags_raw, product_name, ...); ``nonce`` too.
    """
    from studio.platforms.models import Mode
    from studio.posts import services as posts

    nonce = str(fields.pop("nonce", "nonce-1"))
    fields.setdefault("caption", "Our new kettle, as seen by Acme Studio")
    fields.setdefault("hashtags_raw", "#kettle")
    with app.app_context():
        admin = db.session.scalar(select(User).where(User.email == admin_email))
        draft = posts.Draft(
            video_id=video_id, account_id=account_id, mode=Mode.DRAFT, consent=True, **fields
        )
        consent = "I agree to send this video to Acme Studio's TikTok inbox."
        post, _ = posts.create_post(db.session, admin, draft, nonce, consent_text=consent)
        posts.enqueue_post(post)
        db.session.expire_all()
        return db.session.get(type(post), post.id)


@pytest.fixture
def sent_post(app: Flask, connected_account, make_stored_video, users):
    """A video sent as a draft to the connected "acme" account (real send job, sandbox).

    Sent at once when the app runs jobs eagerly; queued for the consumer otherwise.
    """
    video = make_stored_video()
    return send_draft(app, connected_account.id, video.id, users["admin"])
