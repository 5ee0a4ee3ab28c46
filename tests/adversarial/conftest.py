"""Adversarial suite fixtures: snapshots that prove nothing changed, and an HTML injection check."""

from __future__ import annotations

import hashlib
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import inspect, select, text

from studio import db
from tests.platforms.meta.app_support import (  # noqa: F401 - Meta's fixtures
    fb,
    meta_admin,
    meta_app,
    meta_sandbox,
)

# Tables an attack may legitimately touch: the audit log records refusals.
VOLATILE = frozenset({"audit_entries", "alembic_version"})


def table_digests(app: Flask, ignore: frozenset[str] = VOLATILE) -> dict[str, str]:
    """Every table's rows, hashed: equal snapshots mean no row was added, changed or removed."""
    with app.app_context():
        engine = db.session.get_bind()
        out: dict[str, str] = {}
        for name in sorted(inspect(engine).get_table_names()):
            if name in ignore:
                continue
            rows = db.session.execute(text(f'SELECT * FROM "{name}"')).all()
            out[name] = hashlib.sha256(repr(sorted(map(repr, rows))).encode()).hexdigest()
        db.session.commit()
        return out


def instance_files(app: Flask) -> list[str]:
    """Every file under instance/uploads (library files and part files), relative."""
    root = Path(app.instance_path) / "uploads"
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


class Snapshot:
    """Rows and upload files before an attack, to compare with after it."""

    def __init__(self, app: Flask, ignore: frozenset[str] = VOLATILE) -> None:
        self.app, self.ignore = app, ignore
        self.tables = table_digests(app, ignore)
        self.files = instance_files(app)

    def assert_unchanged(self) -> None:
        after = table_digests(self.app, self.ignore)
        changed = sorted(k for k in after if after[k] != self.tables.get(k))
        assert changed == [], f"tables changed: {changed}"
        assert instance_files(self.app) == self.files


def count(app: Flask, model: type) -> int:
    """Rows of ``model``."""
    from sqlalchemy import func

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model)) or 0


class _Elements(HTMLParser):
    """Collects (tag, attrs) of every element in a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, attrs))

    handle_startendtag = handle_starttag


def injected(html: str, marker: str = "xss") -> list[str]:
    """Elements or attributes an attacker added: anything carrying the marker, inline scripts,
    frames, objects, <base>, refresh redirects, event-handler attributes, javascript: URLs.

    Empty when the page is clean.
    """
    parser = _Elements()
    parser.feed(html)
    found = []
    for tag, attrs in parser.elements:
        names = {k for k, _ in attrs}
        if tag == "script" and "src" not in names:
            found.append("inline <script>")
        if tag in ("iframe", "frame", "object", "embed", "base"):
            found.append(f"<{tag}>")  # the app's pages have none of these
        if tag == "meta" and (dict(attrs).get("http-equiv") or "").lower() == "refresh":
            found.append("<meta http-equiv=refresh>")
        if tag in ("svg", "math") and any(marker in (v or "") for _, v in attrs):
            found.append(f"<{tag}>")
        for key, value in attrs:
            value = (value or "").strip().lower()
            if key.startswith("on"):
                found.append(f"<{tag} {key}>")
            if key in ("href", "src", "action", "formaction") and value.startswith("javascript:"):
                found.append(f"<{tag} {key}=javascript:>")
            if key in ("id", "class") and marker in value:
                found.append(f"<{tag} {key}={value}>")
    return found


@pytest.fixture
def app(sandbox_app: Flask) -> Flask:
    """The suite's app talks to the sandbox (over real HTTP on loopback)."""
    return sandbox_app


@pytest.fixture
def world(app: Flask, users: dict[str, str], connected_account, make_stored_video) -> dict:
    """One of every object a URL can name: users, account, videos, post, request, upload, and
    the admin's caption template."""
    from studio.audit import Actor
    from studio.auth.models import User
    from studio.platforms.models import Mode
    from studio.posts import presets
    from studio.posts import services as posts
    from studio.privacy import services as privacy
    from studio.videos import uploads

    with app.app_context():
        admin = db.session.scalar(select(User).where(User.email == users["admin"]))
        staff = db.session.scalar(select(User).where(User.email == users["staff"]))
        admin_id, staff_id = admin.id, staff.id
    admins_video = make_stored_video(admin)
    staffs_video = make_stored_video(staff, name="staff.mp4", width=540, height=960, seconds=3.2)
    with app.test_request_context():
        admin = db.session.get(User, admin_id)
        draft = posts.Draft(
            video_id=admins_video.id,
            account_id=connected_account.id,
            mode=Mode.DRAFT,
            caption="Kettle launch",
            consent=True,
        )
        post, _ = posts.create_post(db.session, admin, draft, "adversarial-nonce-1", None, "ok")
        req, _code = privacy.open_request(
            db.session,
            kind="tiktok",
            source="form",
            subject={"name": "Acme Studio"},
            identifier="Acme Studio",
            actor=Actor.public(),
        )
        upload = uploads.start_upload(db.session, admin, 1000, "part.mp4")
        template = presets.create(db.session, admin, "Launch", "Kettle launch", "#kettle")
        return {
            "admin_id": admin_id,
            "staff_id": staff_id,
            "account_id": connected_account.id,
            "video_id": admins_video.id,
            "staff_video_id": staffs_video.id,
            "post_id": post.id,
            "delivery_id": post.deliveries[0].id,
            "request_id": req.id,
            "upload_id": upload.id,
            "template_id": template.id,
            "seq": 1,
        }


# The suite's closing figures. A case is one test (one parametrized instance); it fails when an
# attack got a different outcome than the one asserted: that counts as accepted. Requests are
# every request the cases sent to the app, setup (signing in, fetching a form) included.
TRIED = {"cases": 0, "accepted": 0, "requests": 0}


@pytest.fixture(autouse=True)
def _count_requests(monkeypatch: pytest.MonkeyPatch) -> None:
    from flask.testing import FlaskClient

    send = FlaskClient.open

    def counted(self: FlaskClient, *args: object, **kwargs: object) -> object:
        TRIED["requests"] += 1
        return send(self, *args, **kwargs)

    monkeypatch.setattr(FlaskClient, "open", counted)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call" and "tests/adversarial/" in report.nodeid:
        TRIED["cases"] += 1
        TRIED["accepted"] += report.failed


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The suite's closing figures: attacks tried N / accepted M."""
    if TRIED["cases"]:
        terminalreporter.section("attacks tried / accepted")
        terminalreporter.write_line(
            f"TOTAL attack cases tried {TRIED['cases']} / accepted {TRIED['accepted']} "
            f"({TRIED['requests']} requests sent)"
        )
