"""Deployment fixtures: PostgreSQL database, throwaway Redis, and the running multi-process stack.

These tests need a PostgreSQL server (``STUDIO_TEST_DATABASE_URL``) and ``redis-server``.
Locally they skip when either is missing; in CI (the URL is set) a missing Redis is an error.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.deploy.stack import PostgresDatabase, RedisServer, Stack, redis_available
from tests.helpers import ADMIN_PASSWORD, STAFF_PASSWORD

PG_URL = os.environ.get("STUDIO_TEST_DATABASE_URL")

# The deployment under test: development mode (no TLS on loopback) with one trusted proxy, so
# a test can speak for many client addresses through X-Forwarded-For. Staff sign in many times
# during these tests, hence a higher per-account login limit (the limits test checks this one
# and the default per-address limit). The periodic refresh only looks 60 s ahead, so it never
# refreshes behind the refresh test's back. Drafts pile up in the inboxes: no 5-per-day cap.
DEPLOY_ENV = {
    "STUDIO_PROXY_FIX_X_FOR": "1",
    "STUDIO_LOGIN_RATE_LIMIT_ACCOUNT": "30 per 15 minutes",
    "STUDIO_POSTS_PENDING_DRAFT_LIMIT": "100",
    "STUDIO_TIKTOK_REFRESH_AHEAD": "60",
    "STUDIO_POSTS_POLL_BASE": "0.2",
    "STUDIO_POSTS_POLL_CAP": "1",
}


def require_services() -> str:
    """The PostgreSQL server URL, or skip (locally) / fail (CI) with the reason."""
    if not PG_URL:
        pytest.skip("deployment tests need PostgreSQL: set STUDIO_TEST_DATABASE_URL (CI does)")
    if not redis_available():
        pytest.fail("redis-server is not installed; CI must run the deployment tests")
    return PG_URL


@pytest.fixture(scope="module")
def deploy_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("deploy")


@pytest.fixture(scope="module")
def redis_server(deploy_dir: Path) -> Iterator[RedisServer]:
    require_services()
    with RedisServer(deploy_dir / "redis") as server:
        yield server


@pytest.fixture(scope="module")
def pg_database() -> Iterator[PostgresDatabase]:
    with PostgresDatabase(require_services()) as database:
        yield database


@pytest.fixture(scope="module")
def stack(
    deploy_dir: Path, pg_database: PostgresDatabase, redis_server: RedisServer
) -> Iterator[Stack]:
    """2 gunicorn workers, 2 single-threaded huey consumers and the sandbox, with two users."""
    deployment = Stack(
        deploy_dir, pg_database.url, redis_server.url, job_threads=1, extra_env=DEPLOY_ENV
    ).init()
    deployment.create_user("admin@example.com", ADMIN_PASSWORD, "admin")
    deployment.create_user("staff@example.com", STAFF_PASSWORD, "staff")
    with deployment:
        deployment.sandbox("config", {"status_step_delay": 0.1, "pending_share_limit": 100})
        yield deployment
        assert not deployment.dead(), deployment.log_tail()
