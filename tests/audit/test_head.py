"""Appending without reading the head: the remembered head is a hint, never trusted blindly."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from sqlalchemy import event

from studio.audit import Action, Actor, record, store
from studio.audit.recorder import Redactor, build_spec
from studio.db import make_engine
from tests.audit.conftest import append_entries, check, execute


@contextmanager
def statements(app: Flask) -> Iterator[list[str]]:
    """The SQL statements the app's engine runs inside the block."""
    seen: list[str] = []
    engine = app.extensions["db"]["engine"]

    def note(_conn, _cursor, sql, *_args) -> None:
        seen.append(" ".join(sql.split()))

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)


def reads_head(sql: str) -> bool:
    return sql.startswith("SELECT") and "ORDER BY audit_entries.seq DESC" in sql


def test_the_next_append_reads_nothing(app: Flask) -> None:
    append_entries(app, 2)
    with statements(app) as seen:
        assert append_entries(app, 3) == [3, 4, 5]
    assert not [sql for sql in seen if reads_head(sql)]
    assert [sql for sql in seen if sql.startswith("INSERT")], seen
    report = check(app)
    assert report.intact and report.entries == 5, report.message()


def test_an_entry_from_another_process_is_read_and_followed(app: Flask) -> None:
    append_entries(app, 2)
    other = make_engine(app.config["DATABASE_URL"])  # another process's engine
    spec = build_spec("post.status", "from elsewhere", "ok", {}, "{}", Redactor())
    with other.connect() as conn:
        conn.execution_options(sqlite_immediate=True)
        with conn.begin():
            store.lock(conn)
            assert store.append(conn, spec)["seq"] == 3
    other.dispose()
    with statements(app) as seen:
        assert append_entries(app, 2) == [4, 5]
    assert len([sql for sql in seen if reads_head(sql)]) == 1  # once, then remembered
    report = check(app)
    assert report.intact and report.entries == 5, report.message()


def test_a_head_that_is_gone_is_not_trusted(app: Flask) -> None:
    append_entries(app, 3)
    execute(app, "DELETE FROM audit_entries")  # the remembered head no longer exists
    with app.app_context():
        assert record(Action.POST_STATUS, actor=Actor.system("test"), summary="anew") == 1
    assert append_entries(app, 1) == [2]
    report = check(app)
    assert report.intact and report.entries == 2, report.message()
