"""The huey instance (SQLite or Redis), the app-context task wrapper and the schedule."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

from flask import Flask, current_app, has_app_context
from huey import Huey, RedisHuey, SqliteHuey
from huey.storage import RedisStorage, SqliteStorage
from werkzeug.local import LocalProxy

huey = Huey("studio", storage_class=SqliteStorage, filename=":memory:", immediate=True)
_state: dict[str, Flask] = {}
# Every task by its function's name: services enqueue by name and never import a tasks module.
_tasks: dict[str, Any] = {}


def init_app(app: Flask) -> None:
    """Point the queue at Redis (REDIS_URL) or a SQLite file in the instance folder."""
    _state["app"] = app
    if app.config.get("REDIS_URL"):
        huey.storage_class = RedisStorage
        huey.storage_kwargs = {"url": app.config["REDIS_URL"]}
        huey.name = app.config.get("HUEY_NAME", "studio")
    else:
        path = app.config.get("HUEY_SQLITE_PATH") or str(Path(app.instance_path) / "jobs.db")
        huey.storage_class = SqliteStorage
        huey.storage_kwargs = {"filename": path}
    huey._immediate = bool(app.config["HUEY_IMMEDIATE"])
    huey.storage = huey.create_storage()


def with_app(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Run a task body inside an app context (the worker's app, or the caller's in eager mode)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if has_app_context():
            return fn(*args, **kwargs)
        with _state["app"].app_context():
            return fn(*args, **kwargs)

    return wrapper


def task(**options: Any) -> Callable[[Callable[..., Any]], Any]:
    """Declare a huey task whose body runs in an app context."""

    def decorate(fn: Callable[..., Any]) -> Any:
        if fn.__name__ in _tasks:
            raise ValueError(f"two tasks named {fn.__name__!r}")
        _tasks[fn.__name__] = wrapped = huey.task(**options)(with_app(fn))
        return wrapped

    return decorate


def enqueue(name: str, *args: Any, delay: float | None = None) -> Any:
    """Queue the task called `name` (now, or after `delay` seconds); eager mode runs it here.

    An unknown name raises LookupError: every room's tasks are imported by the app factory.
    """
    try:
        found = _tasks[name]
    except KeyError:
        raise LookupError(f"no task named {name!r}") from None
    if delay is not None:
        return found.schedule(args, delay=delay)
    return found(*args)


def periodic_task(validate_datetime: Any, **options: Any) -> Callable[[Callable[..., Any]], Any]:
    """Declare a periodic huey task whose body runs in an app context."""

    def decorate(fn: Callable[..., Any]) -> Any:
        return huey.periodic_task(validate_datetime, **options)(with_app(fn))

    return decorate


def current() -> Flask:
    """The app the worker serves."""
    if has_app_context():
        return cast("LocalProxy[Flask]", current_app)._get_current_object()
    return _state["app"]


__all__ = ["huey", "task", "periodic_task", "enqueue", "init_app", "RedisHuey", "SqliteHuey"]
