"""Small builders and helpers shared by tests."""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Callable
from typing import Any

import pyotp
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, select

from studio import db, vault
from studio.platforms.models import Account, Delivery
from studio.posts.models import Post

ADMIN_PASSWORD = "correct horse battery staple admin"
STAFF_PASSWORD = "violet tangerine rowboat cathedral"

_CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def csrf_token(client: FlaskClient, url: str) -> str:
    """GET ``url`` and return the CSRF token from its first form."""
    response = client.get(url)
    match = _CSRF.search(response.get_data(as_text=True))
    assert match, f"no csrf token on {url} ({response.status_code})"
    return match.group(1)


def extract_csrf(html: str) -> str:
    """The CSRF token embedded in a page."""
    match = _CSRF.search(html)
    assert match, "no csrf token in page"
    return match.group(1)


def query_plans(app: Flask, run: Callable[[], object], table: str) -> list[str]:
    """The plan of every SELECT on ``table`` that ``run`` issues in an app context, one line
    each (EXPLAIN QUERY PLAN on SQLite; EXPLAIN with indexes forced on PostgreSQL, where the
    tables of a test are too small for the planner to bother)."""
    engine = app.extensions["db"]["engine"]
    seen: list[tuple[str, Any]] = []

    def capture(_conn, _cursor, statement, parameters, _context, _many) -> None:
        if statement.lstrip().upper().startswith("SELECT") and f"FROM {table}" in statement:
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        with app.app_context():
            run()
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    postgres = engine.dialect.name == "postgresql"
    plans = []
    with engine.connect() as conn:
        if postgres:
            conn.exec_driver_sql("SET enable_seqscan = off")
        explain = "EXPLAIN " if postgres else "EXPLAIN QUERY PLAN "
        for statement, parameters in seen:
            rows = conn.exec_driver_sql(explain + statement, parameters).all()
            plans.append(" | ".join(str(r[-1]) for r in rows))
    assert plans, f"no query on {table} was issued"
    return plans


def video_row(storage_name: str, content_hash: str, size_bytes: int, **fields: Any) -> Any:
    """A library row described as a 10 s portrait H.264 MP4 without probing any file (the
    sandbox does not probe; list tests need no file); ``fields`` override the rest."""
    from studio.videos.models import Video

    facts: dict[str, Any] = {
        "display_name": "big.mp4",
        "container": "mp4",
        "video_codec": "h264",
        "duration_s": 10.0,
        "width": 540,
        "height": 960,
        "fps": 30.0,
    }
    return Video(
        storage_name=storage_name,
        content_hash=content_hash,
        size_bytes=size_bytes,
        **(facts | fields),
    )


_TOTP_KEY = re.compile(r'<p class="mono small"[^>]*>([A-Z2-7]+)</p>')
_RECOVERY = re.compile(r"<li>([a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4})</li>")


def enrol_totp(client: FlaskClient) -> tuple[str, list[str]]:
    """Turn on two-factor for the signed-in client; returns (seed, recovery codes)."""
    page = client.get("/auth/two-factor/setup").get_data(as_text=True)
    if not _TOTP_KEY.search(page):  # the seed is made by a POST
        started = client.post("/auth/two-factor/start", data={"csrf_token": extract_csrf(page)})
        assert started.status_code == 302, started.status_code
        page = client.get("/auth/two-factor/setup").get_data(as_text=True)
    secret = _TOTP_KEY.search(page).group(1)  # type: ignore[union-attr]
    token = extract_csrf(page)
    done = client.post(
        "/auth/two-factor/setup", data={"code": pyotp.TOTP(secret).now(), "csrf_token": token}
    )
    assert done.status_code in (200, 302), done.get_data(as_text=True)
    return secret, _RECOVERY.findall(done.get_data(as_text=True))


def next_totp(secret: str) -> str:
    """The code of the next time step (the current one may be spent already)."""
    totp = pyotp.TOTP(secret)
    return totp.at(time.time() + totp.interval)


def sent_sha256(app: Any, video: Any) -> str:
    """The SHA-256 of a stored video's file, as the sandbox reports the bytes it received."""
    from studio.videos import digest, storage

    with app.app_context():
        return digest.hex_of(digest.of_file(storage.video_path(video), digest.LEGACY))


def wait_until(
    condition: Callable[[], Any],
    timeout: float,
    what: str,
    every: float = 0.05,
    pause: Callable[[float], Any] | None = None,
) -> Any:
    """Poll ``condition`` until it returns something truthy (returned), or fail after
    ``timeout`` seconds saying ``what`` was awaited. Deadlines are generous: they only bound a
    broken run, they never pace a healthy one. ``pause(ms)`` replaces the sleep between checks
    (browser tests pass ``page.wait_for_timeout``)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        if pause is None:
            time.sleep(every)
        else:
            pause(every * 1000)


def add_account(open_id: str, *, with_tokens: bool = True) -> Any:
    """A TikTok account row (in the current app context), tokens encrypted under its own key."""
    key = vault.new_data_key() if with_tokens else None
    account = Account(
        platform="tiktok", remote_id=open_id, display_name=f"name of {open_id}", data_key=key
    )
    if key:
        account.access_token_enc = vault.encrypt(key, f"act.{open_id}")
        account.refresh_token_enc = vault.encrypt(key, f"rft.{open_id}")
    db.session.add(account)
    db.session.commit()
    return account


def delivery_of(post_id: int) -> Delivery:
    """The only delivery of post ``post_id``, fresh from the database (current app context)."""
    deliveries = db.session.scalars(select(Delivery).where(Delivery.post_id == post_id)).all()
    assert len(deliveries) == 1, f"post {post_id} has {len(deliveries)} deliveries"
    db.session.refresh(deliveries[0])
    return deliveries[0]


def add_post(account_id: int, video_id: int, caption: str = "Kettle") -> Any:
    """A post of ``video_id`` with one delivery to ``account_id`` (in the current app context)."""
    post = Post(
        idempotency_key=secrets.token_hex(16),
        video_id=video_id,
        caption=caption,
        deliveries=[Delivery(account_id=account_id)],
    )
    db.session.add(post)
    db.session.commit()
    return post
