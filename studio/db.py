"""Declarative base, annotated column types, engine and a session per app context."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Generic, Protocol, TypeVar, cast

from flask import Flask, current_app, g
from sqlalchemy import DateTime, MetaData, create_engine, event, select
from sqlalchemy.engine import CursorResult, Engine, Result
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import (
    DeclarativeBase,
    InstrumentedAttribute,
    Session,
    mapped_column,
    sessionmaker,
)
from sqlalchemy.sql.base import ExecutableOption
from sqlalchemy.types import TypeDecorator
from werkzeug.local import LocalProxy
from werkzeug.routing import IntegerConverter

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# Ids and counters from URLs are bound to what an INTEGER column holds on every database
# (PostgreSQL's is 32-bit): a larger number can match no row, and the driver would raise.
MAX_ID = 2**31 - 1
T = TypeVar("T")


class HasId(Protocol):
    """A mapped model with an integer primary key ``id``."""

    @property
    def id(self) -> int: ...


M = TypeVar("M", bound=HasId)


def rowcount(result: Result[Any]) -> int:
    """The rows an UPDATE/DELETE/INSERT matched (its result is a CursorResult at runtime)."""
    return cast(CursorResult[Any], result).rowcount


def parse_id(value: object) -> int | None:
    """A positive id from the query string (ASCII digits, within MAX_ID), else None."""
    text = str(value or "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > len(str(MAX_ID)):
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


class IdConverter(IntegerConverter):
    """`<int:...>` in routes: larger than MAX_ID is no match (404), never a driver error."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def utcnow() -> dt.datetime:
    """The current time, timezone-aware UTC."""
    return dt.datetime.now(dt.UTC)


SCHEMA_ERRORS = re.compile(r"no such (table|column)|has no column named|syntax error")


def database_unavailable(exc: BaseException | None) -> bool:
    """True for a lost, refused or busy database connection (as opposed to a bug).

    The chain counts too: the audit recorder fails closed with its own error raised from the
    database's (``__cause__``), and a lost connection often surfaces as SQLAlchemy's
    PendingRollbackError raised while handling it (``__context__``).
    """
    seen = 0
    while exc is not None and seen < 20:
        if isinstance(exc, OperationalError):
            # SQLite reports a missing table or column (a schema not upgraded: a bug to
            # fix, not an outage to wait out) as an OperationalError too.
            return not SCHEMA_ERRORS.search(str(exc.orig))
        if isinstance(exc, DBAPIError) and exc.connection_invalidated:
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timestamp stored as UTC and always read back timezone-aware."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime stored; use utcnow()")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    """Base of every model."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dt.datetime: UTCDateTime()}


intpk = Annotated[int, mapped_column(primary_key=True)]
# __table_args__ of every table whose ids others refer to (audit entries, receipts, logs,
# files): SQLite then never hands out an erased row's id again (migration 0008).
NEVER_REUSE_IDS = {"sqlite_autoincrement": True}
created_at = Annotated[dt.datetime, mapped_column(default=utcnow)]
updated_at = Annotated[dt.datetime, mapped_column(default=utcnow, onupdate=utcnow)]


def make_engine(url: str, sqlite_synchronous: str = "FULL") -> Engine:
    """An engine; SQLite gets WAL, a busy timeout, foreign keys and explicit BEGINs."""
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
    engine = create_engine(url, connect_args={"timeout": 15, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves (see _on_begin)
        cur = dbapi_conn.cursor()
        for pragma in (
            "journal_mode=WAL",
            f"synchronous={sqlite_synchronous}",
            "busy_timeout=15000",
            "foreign_keys=ON",
            "secure_delete=ON",
        ):
            cur.execute(f"PRAGMA {pragma}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # A deferred transaction that reads and then writes can fail with SQLITE_BUSY despite
        # busy_timeout; writers that read first ask for an IMMEDIATE transaction.
        immediate = conn.get_execution_options().get("sqlite_immediate")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def begin_write(session: Session) -> None:
    """Start the session's transaction as a writer: BEGIN IMMEDIATE on SQLite.

    Call before the first query of a read-then-write transaction. On PostgreSQL combine it
    with ``with_for_update()`` on the rows read.
    """
    if session.in_transaction():
        if session.get_bind().dialect.name == "sqlite":
            session.commit()
        else:
            return
    session.connection(execution_options={"sqlite_immediate": True})


@dataclass
class KeysetPage(Generic[T]):
    """One page of a list, newest first, with the cursors of its neighbours."""

    items: list[T]
    newer: int | None  # ?after= for the page before this one
    older: int | None  # ?before= for the page after this one


def keyset_page(
    session: Session,
    model: type[M],
    *,
    before: int | None = None,
    after: int | None = None,
    limit: int = 50,
    options: Sequence[ExecutableOption] = (),
) -> KeysetPage[M]:
    """A page of ``model`` rows, newest (highest id: ids grow with time) first, read as a range
    of the primary key: its cost does not grow with the table, however deep the page.

    ``before``: rows older than that id; ``after``: the page just newer than that id.
    """
    key = cast(InstrumentedAttribute[int], model.id)  # a mapped class's column attribute
    if after is not None:
        query = select(model).where(key > after).order_by(key.asc())
        items = list(reversed(session.scalars(query.options(*options).limit(limit)).all()))
    else:
        query = select(model).order_by(key.desc())
        if before is not None:
            query = query.where(key < before)
        items = list(session.scalars(query.options(*options).limit(limit)))
    if not items:
        return KeysetPage([], None, None)
    newest, oldest = items[0].id, items[-1].id
    newer = select(key).where(key > newest).order_by(key.asc()).limit(1)
    older = select(key).where(key < oldest).order_by(key.desc()).limit(1)
    return KeysetPage(
        items,
        newest if session.scalar(newer) is not None else None,
        oldest if session.scalar(older) is not None else None,
    )


def is_sqlite(session: Session) -> bool:
    """True when the session talks to SQLite."""
    return session.get_bind().dialect.name == "sqlite"


class Database:
    """Engine per app and one session per app context (request, command or job)."""

    def init_app(self, app: Flask) -> None:
        engine = make_engine(app.config["DATABASE_URL"], app.config["SQLITE_SYNCHRONOUS"])
        factory = sessionmaker(bind=engine, expire_on_commit=False)
        app.extensions["db"] = {"engine": engine, "factory": factory}
        app.url_map.converters["int"] = IdConverter
        app.teardown_appcontext(self._remove)

    @staticmethod
    def _remove(_exc: BaseException | None) -> None:
        session = g.pop("db_session", None)
        if session is not None:
            session.close()

    @property
    def engine(self) -> Engine:
        return current_app.extensions["db"]["engine"]

    def get_session(self) -> Session:
        if "db_session" not in g:
            g.db_session = current_app.extensions["db"]["factory"]()
        return g.db_session


db = Database()
session: Session = LocalProxy(db.get_session)  # type: ignore[assignment]
