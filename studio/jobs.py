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

TASK_MODULES = (
    "studio.platforms.tiktok.tasks",
    "studio.videos.tasks",
    "studio.posts.tasks",
    "studio.audit.tasks",
    "studio.privacy.tasks",
)


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
    _import_tasks()


def _import_tasks() -> None:
    import importlib

    for name in TASK_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if not name.startswith(exc.name or "-"):
                raise


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
        return huey.task(**options)(with_app(fn))

    return decorate


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


__all__ = ["huey", "task", "periodic_task", "init_app", "RedisHuey", "SqliteHuey"]
