"""Ids are never handed out twice: erase the newest row, add one, and it gets a new id."""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Any

import pytest
from alembic import command
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, Integer, create_engine, inspect, select, text

from studio import db
from studio.audit import models as _audit  # noqa: F401  every room's tables in the metadata
from studio.auth import models as _auth  # noqa: F401
from studio.cli import alembic_config
from studio.metrics.models import AccountSnapshot, MetricVideo, VideoSnapshot
from studio.platforms.models import Account
from studio.platforms.tiktok import models as _tiktok  # noqa: F401
from studio.posts import models as _posts  # noqa: F401
from studio.privacy import models as _privacy  # noqa: F401
from studio.sandbox.webhooks import build_body, sign
from studio.videos import models as _videos  # noqa: F401
from tests.conftest import PG_URL, AuthActions
from tests.helpers import csrf_token, enrol_totp

# Tables whose ids may repeat, and why; every other table must never reuse an id.
EXEMPT = {
    "audit_entries": "seq is the chain position the app assigns; entries are never deleted",
    "upload_sessions": "ids are random tokens (secrets.token_urlsafe), not counters",
    "post_rate_budgets": "natural key (account, time bucket); nothing refers to a row",
    "platform_quota_days": "natural key (project, bucket, day); nothing refers to a row",
    "post_erasures": "natural key: the erased post's own id (posts never reuse ids)",
    "metric_rounds": "natural key: the account's own id (accounts never reuse ids)",
}


def counted_tables() -> list[str]:
    """Tables with a single integer surrogate key: ids others may refer to."""
    tables = []
    for table in db.Base.metadata.sorted_tables:
        (*_, last), keys = table.primary_key.columns, list(table.primary_key.columns)
        if len(keys) == 1 and isinstance(last.type, Integer) and last.autoincrement is not False:
            tables.append(table.name)
    return sorted(tables)


def test_every_table_is_either_protected_or_exempt_with_a_reason() -> None:
    names = {t.name for t in db.Base.metadata.sorted_tables}
    assert set(counted_tables()) == names - set(EXEMPT)
    for name in counted_tables():
        assert db.Base.metadata.tables[name].dialect_kwargs["sqlite_autoincrement"] is True


@pytest.fixture
def filled(app: Flask, world: dict, client: FlaskClient, auth: AuthActions) -> Flask:
    """Rows in every counted table: the adversarial world, a sign-in, a webhook delivery."""
    assert auth.login().status_code == 302
    enrol_totp(client)  # recovery codes
    body = build_body(
        "sandbox-client-key", "post.publish.inbox_delivered", "x", {"publish_id": "p"}
    )
    headers = {"TikTok-Signature": sign("sandbox-client-secret", int(time.time()), body)}
    assert client.post("/webhooks/tiktok", data=body, headers=headers).status_code == 200
    client.get("/privacy")  # the policy page records its version
    public = app.test_client()  # a deletion request by e-mail: its link and the browser's hold
    form = {"kind": "email", "email": "owner@example.com"}
    form["csrf_token"] = csrf_token(public, "/data-deletion")
    assert public.post("/data-deletion", data=form).status_code == 303
    form = {"name": "Ann", "email": "ann@example.com", "message": "What do you keep?"}
    form["csrf_token"] = csrf_token(public, "/contact")
    assert public.post("/contact", data=form).status_code in (302, 303)
    with app.app_context():  # a day of figures for the first account and one of its videos
        account_id = db.session.scalars(select(Account.id).order_by(Account.id)).first()
        video = MetricVideo(account_id=account_id, remote_id="v-1")
        db.session.add_all([video, AccountSnapshot(account_id=account_id, day=dt.date.today())])
        db.session.flush()
        db.session.add(VideoSnapshot(video_id=video.id, day=dt.date.today(), views=1))
        db.session.commit()
    return app


def _erase_newest(engine: Engine, table: str) -> dict[str, Any]:
    """Delete the newest row of ``table``; returns it."""
    with engine.begin() as conn:
        row = conn.execute(text(f'SELECT * FROM "{table}" ORDER BY id DESC LIMIT 1')).mappings()
        newest = dict(row.one())
        conn.execute(text(f'DELETE FROM "{table}" WHERE id = :id'), {"id": newest["id"]})
    return newest


def _insert_copy(engine: Engine, table: str, row: dict[str, Any]) -> int:
    """Insert ``row`` again without its id (and without columns the table no longer has, when
    the row is from an older schema); returns the id it gets."""
    columns = {c["name"] for c in inspect(engine).get_columns(table)}
    copy = {k: v for k, v in row.items() if k != "id" and k in columns}
    # JSON columns read back as Python values on PostgreSQL; they go in as JSON text.
    copy = {k: json.dumps(v) if isinstance(v, dict | list) else v for k, v in copy.items()}
    columns = ", ".join(f'"{k}"' for k in copy)
    values = ", ".join(f":{k}" for k in copy)
    with engine.begin() as conn:
        conn.execute(text(f'INSERT INTO "{table}" ({columns}) VALUES ({values})'), copy)
        return conn.execute(text(f'SELECT max(id) FROM "{table}"')).scalar_one()


@pytest.mark.parametrize("table", counted_tables())
def test_the_newest_id_is_not_reused_after_its_row_is_erased(filled: Flask, table: str) -> None:
    with filled.app_context():
        engine = db.session.get_bind()
        db.session.commit()
        newest = _erase_newest(engine, table)
        new = _insert_copy(engine, table, newest)
    assert new > newest["id"], f"{table}: id {newest['id']} was handed out again"


def schema(engine: Engine) -> dict[str, Any]:
    """Columns, keys, indexes and constraints of every table (what a rebuild must keep)."""
    found = inspect(engine)
    out = {}
    for name in sorted(found.get_table_names()):
        out[name] = {
            "columns": [
                (c["name"], str(c["type"]), c["nullable"]) for c in found.get_columns(name)
            ],
            "pk": found.get_pk_constraint(name)["constrained_columns"],
            "fks": sorted(
                (
                    fk["name"],
                    tuple(fk["constrained_columns"]),
                    fk["referred_table"],
                    str(fk["options"]),
                )
                for fk in found.get_foreign_keys(name)
            ),
            "indexes": sorted(
                (i["name"], tuple(i["column_names"]), bool(i["unique"]))
                for i in found.get_indexes(name)
            ),
            "unique": sorted(
                (u["name"], tuple(u["column_names"])) for u in found.get_unique_constraints(name)
            ),
            "checks": sorted((c["name"], c["sqltext"]) for c in found.get_check_constraints(name)),
        }
    return out


def rows(engine: Engine) -> dict[str, list]:
    with engine.connect() as conn:
        return {
            name: sorted(map(repr, conn.execute(text(f'SELECT * FROM "{name}"')).all()))
            for name in inspect(engine).get_table_names()
            if name not in ("sqlite_sequence", "alembic_version")
        }


@pytest.mark.skipif(PG_URL is not None, reason="0008 changes SQLite only (sequences on PostgreSQL)")
def test_0008_rebuilds_a_filled_0007_database_keeping_every_row(
    filled: Flask, tmp_path, make_app
) -> None:
    url = filled.config["DATABASE_URL"]
    filled.extensions["db"]["engine"].dispose()
    head = create_engine(url)
    head_schema = schema(head)
    cfg = alembic_config(url)
    command.downgrade(cfg, "0007")
    fresh = tmp_path / "fresh0007.db"
    command.upgrade(alembic_config(f"sqlite:///{fresh}"), "0007")
    assert schema(head) == schema(create_engine(f"sqlite:///{fresh}"))
    erased = _erase_newest(head, "posts")  # before the upgrade: it lives on in the audit log
    with head.begin() as conn:
        conn.execute(text("UPDATE audit_entries SET post_id = :id WHERE seq = 1"), erased)
    before = rows(head)
    command.upgrade(cfg, "0008")
    assert rows(head) == before
    command.upgrade(cfg, "heads")
    assert schema(head) == head_schema
    with head.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    assert _insert_copy(head, "posts", erased) > erased["id"]
    head.dispose()


def test_0015_carries_a_filled_0014_database_over_to_accounts(filled: Flask) -> None:
    """tiktok_accounts → accounts: every row, every reference and the never-reused ids survive,
    on SQLite and PostgreSQL; downgrading and upgrading again is clean. (That old audit entries
    keep their hashes is proved in tests/audit/test_chain.py.)"""
    url = filled.config["DATABASE_URL"]
    filled.extensions["db"]["engine"].dispose()
    head = create_engine(url)
    head_schema = schema(head)
    cfg = alembic_config(url)
    command.downgrade(cfg, "0014")
    with head.connect() as conn:
        first = dict(conn.execute(text("SELECT * FROM tiktok_accounts")).mappings().first() or {})
    assert first, "the world has a connected TikTok account"
    _insert_copy(head, "tiktok_accounts", {**first, "open_id": "second-account"})
    erased = _erase_newest(head, "tiktok_accounts")  # its id must stay used after the move
    before = rows(head)
    command.upgrade(cfg, "0015")
    after = rows(head)
    assert "tiktok_accounts" not in after
    with head.connect() as conn:
        moved = conn.execute(text("SELECT platform, remote_id FROM accounts")).all()
        old = conn.execute(text("SELECT count(*) FROM posts")).scalar_one()
        linked = conn.execute(
            text("SELECT count(*) FROM posts JOIN accounts ON accounts.id = posts.account_id")
        ).scalar_one()
    assert len(moved) == len(before["tiktok_accounts"]) and {p for p, _ in moved} == {"tiktok"}
    assert old and linked == old, "every post still points at its account"
    for name, content in before.items():
        if name not in ("tiktok_accounts", "audit_entries"):
            assert after[name] == content, f"{name} changed"
    assert len(after["audit_entries"]) == len(before["audit_entries"])
    command.upgrade(cfg, "heads")  # later revisions (0016 …) complete the head's schema
    assert schema(head) == head_schema
    erased["remote_id"] = erased.pop("open_id")
    assert _insert_copy(head, "accounts", {**erased, "platform": "tiktok"}) > erased["id"]
    head.dispose()


def test_0016_names_the_platform_of_every_oauth_flow_in_place(filled: Flask) -> None:
    """oauth_flows gains `platform` (existing flows are TikTok's) without a table rebuild: every
    row and the never-reused ids survive, and downgrading then upgrading again is clean."""
    url = filled.config["DATABASE_URL"]
    filled.extensions["db"]["engine"].dispose()
    head = create_engine(url)
    head_schema = schema(head)
    cfg = alembic_config(url)
    command.downgrade(cfg, "0015")
    assert "platform" not in {c["name"] for c in inspect(head).get_columns("oauth_flows")}
    erased = _erase_newest(head, "oauth_flows")  # its id must stay used after the upgrade
    before = rows(head)
    command.upgrade(cfg, "0016")
    with head.connect() as conn:
        platforms = conn.execute(text("SELECT DISTINCT platform FROM oauth_flows")).scalars()
        assert set(platforms) <= {"tiktok"}
    after = rows(head)
    for name, content in before.items():
        if name != "oauth_flows":
            assert after[name] == content, f"{name} changed"
    assert len(after["oauth_flows"]) == len(before["oauth_flows"])
    command.upgrade(cfg, "heads")
    assert schema(head) == head_schema
    assert _insert_copy(head, "oauth_flows", {**erased, "platform": "youtube"}) > erased["id"]
    head.dispose()


def test_0017_splits_every_post_into_a_post_and_its_delivery(filled: Flask) -> None:
    """posts → posts + deliveries: each post keeps its id and gains one delivery with the same
    id and its sending state; the deliveries' counter starts after the highest post id ever
    handed out; downgrading gives every post its columns back; on SQLite and PostgreSQL."""
    url = filled.config["DATABASE_URL"]
    filled.extensions["db"]["engine"].dispose()
    head = create_engine(url)
    head_schema = schema(head)
    cfg = alembic_config(url)
    command.downgrade(cfg, "0016")
    assert "deliveries" not in inspect(head).get_table_names()
    with head.connect() as conn:
        first = dict(conn.execute(text("SELECT * FROM posts ORDER BY id")).mappings().first() or {})
    assert first, "the world has a post"
    sending = {
        "status": "processing",
        "publish_id": "v_pub_1",
        "upload_url_enc": "wrapped-url",
        "tiktok_status": "PROCESSING_UPLOAD",
        "tiktok_bytes": 42,
        "bytes_sent": 42,
        "attempts": 2,
    }
    second = _insert_copy(head, "posts", {**first, **sending, "idempotency_key": "second"})
    erased = _erase_newest(head, "posts")  # the highest post id: no delivery may take it
    assert erased["id"] == second
    with head.connect() as conn:
        old_posts = {r["id"]: dict(r) for r in conn.execute(text("SELECT * FROM posts")).mappings()}
    before = rows(head)
    command.upgrade(cfg, "0017")
    after = rows(head)
    with head.connect() as conn:
        posts = {r["id"]: dict(r) for r in conn.execute(text("SELECT * FROM posts")).mappings()}
        deliveries = {
            r["id"]: dict(r) for r in conn.execute(text("SELECT * FROM deliveries")).mappings()
        }
    assert set(posts) == set(old_posts) == set(deliveries), "one delivery per post, same id"
    for post_id, old in old_posts.items():
        delivery = deliveries[post_id]
        assert delivery["post_id"] == post_id and delivery["platform"] == "tiktok"
        assert {k: posts[post_id][k] for k in posts[post_id]} == {k: old[k] for k in posts[post_id]}
        for new_name, old_name in (
            ("account_id", "account_id"),
            ("mode", "mode"),
            ("source", "source"),
            ("status", "status"),
            ("remote_id", "publish_id"),
            ("transfer_url_enc", "upload_url_enc"),
            ("remote_status", "tiktok_status"),
            ("remote_bytes", "tiktok_bytes"),
            ("bytes_sent", "bytes_sent"),
            ("attempts", "attempts"),
            ("created_at", "created_at"),
        ):
            assert delivery[new_name] == old[old_name], (post_id, new_name)
    for name, content in before.items():
        if name != "posts":
            assert after[name] == content, f"{name} changed"
    command.downgrade(cfg, "0016")  # one delivery per post: the columns come back as they were
    with head.connect() as conn:
        back = {r["id"]: dict(r) for r in conn.execute(text("SELECT * FROM posts")).mappings()}
    assert back == old_posts
    command.upgrade(cfg, "heads")
    assert schema(head) == head_schema
    assert _insert_copy(head, "posts", erased) > erased["id"]
    delivery = {
        **deliveries[first["id"]],
        "post_id": first["id"],
        "account_id": first["account_id"],
    }
    with head.begin() as conn:  # sent again after its row went: a fresh id, past every post id
        conn.execute(text("DELETE FROM deliveries WHERE id = :id"), {"id": first["id"]})
    assert _insert_copy(head, "deliveries", delivery) > erased["id"]
    head.dispose()
