"""After a deletion, the subject's identifiers and tokens are nowhere: DB files, WAL, tables,
logs, uploads."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from studio import db
from studio.audit.verify import verify as verify_chain
from studio.sandbox.creators import by_id
from studio.tiktok.models import TikTokAccount
from tests.conftest import PG_URL
from tests.privacy.conftest import delete_now, file_request, verify_with_tiktok


def _needles(sandbox) -> dict[str, str]:
    acme = by_id("acme")
    needles = {
        "open_id": acme.open_id,
        "union_id": acme.union_id,
        "display_name": acme.display_name,
        "username": acme.username,
        "avatar": "/_sandbox/avatar/acme.svg",
    }
    for i, token in enumerate(list(sandbox.state.access) + list(sandbox.state.refresh)):
        needles[f"token{i}"] = token
    return needles


def _table_dump(app) -> str:
    with app.app_context():
        conn = db.session.connection()
        parts = []
        for table in inspect(conn).get_table_names():
            rows = conn.execute(text(f'SELECT * FROM "{table}"')).all()
            parts.append(f"{table}: {rows!r}")
        db.session.rollback()
        return "\n".join(parts)


def _files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


def _search(app, client, sent_post, sandbox, caplog) -> list[str]:
    """Run the whole public flow, then list every place an identifier or token is found.

    Every table's rows, every file in the instance folder (SQLite's database, WAL and the job
    queue; uploads; outbox) byte by byte, and every log record.
    """
    caplog.set_level(logging.DEBUG)
    with app.app_context():
        assert db.session.get(TikTokAccount, sent_post.account_id).display_name == "Acme Studio"
    needles = _needles(sandbox)  # every token the sandbox issued so far
    code, _ = file_request(client)
    assert verify_with_tiktok(client, sandbox).status_code == 303
    client.get("/data-deletion/export")
    assert delete_now(client).status_code == 303
    assert "completed" in client.get(f"/data-deletion/status/{code}").get_data(as_text=True)
    needles.update(_needles(sandbox))  # plus the verification token
    with app.app_context():
        assert verify_chain(app).intact

    found: list[str] = []
    dump = _table_dump(app)
    found += [f"table rows: {k}" for k, v in needles.items() if v in dump]
    app.extensions["db"]["engine"].dispose()
    instance = Path(app.instance_path)
    for path in _files(instance):
        if path.name == "config.py":
            continue
        raw = path.read_bytes()
        found += [f"{path.name}: {k}" for k, v in needles.items() if v.encode() in raw]
        found += [f"file name {path.name}: {k}" for k, v in needles.items() if v in str(path)]
    logs = "\n".join(r.getMessage() for r in caplog.records)
    found += [f"logs: {k}" for k, v in needles.items() if v in logs]
    assert list((instance / "uploads").rglob("*.mp4")) == []
    return found


def test_nothing_of_the_subject_remains_anywhere(app, client, sent_post, sandbox, caplog):
    assert _search(app, client, sent_post, sandbox, caplog) == []


@pytest.mark.skipif(bool(PG_URL), reason="SQLite only")
def test_wal_is_truncated_by_the_checkpoint_after_erasure(app):
    from studio.privacy.execute import checkpoint

    with app.app_context():
        db.session.execute(text("CREATE TABLE scratch (x TEXT)"))
        db.session.execute(text("INSERT INTO scratch VALUES ('needle-in-the-wal')"))
        db.session.commit()
        db.session.execute(text("DELETE FROM scratch"))
        db.session.commit()
        wal = Path(app.instance_path) / "studio.db-wal"
        assert b"needle-in-the-wal" in wal.read_bytes()
        checkpoint(db.session)
    assert wal.stat().st_size == 0
    assert b"needle-in-the-wal" not in (Path(app.instance_path) / "studio.db").read_bytes()
