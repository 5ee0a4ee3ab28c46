"""Alembic environment: the app's models and database URL."""

from __future__ import annotations

import importlib

from alembic import context

from studio.db import Base, make_engine

MODEL_MODULES = ("auth", "tiktok", "videos", "posts", "audit", "privacy")

for room in MODEL_MODULES:
    try:
        importlib.import_module(f"studio.{room}.models")
    except ModuleNotFoundError as exc:
        if not f"studio.{room}.models".startswith(exc.name or "-"):
            raise

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    url = config.attributes.get("database_url")
    if url:
        return url
    from studio import create_app

    return create_app().config["DATABASE_URL"]


def run_migrations_offline() -> None:
    context.configure(
        url=_url(), target_metadata=target_metadata, literal_binds=True, render_as_batch=True
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = make_engine(_url())
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=True,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
