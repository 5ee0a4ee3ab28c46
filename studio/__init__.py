"""Social Studio: publish your company's product videos to its own TikTok account."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from flask import Flask

from studio import (
    accesslog,
    audit,
    auth,
    bodies,
    cli,
    config,
    dashboard,
    db,
    errors,
    jobs,
    logfile,
    metrics,
    notify,
    posts,
    privacy,
    security,
    site,
    staff,
    templating,
    videos,
)
from studio.extensions import csrf, limiter, login_manager, oauth
from studio.platforms import registry as platforms


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app: configuration, extensions, rooms, error handlers and commands."""
    root = Path(__file__).resolve().parent.parent
    instance = (test_config or {}).get("INSTANCE_PATH") or os.environ.get(
        "STUDIO_INSTANCE_PATH", str(root / "instance")
    )
    app = Flask(
        __name__,
        instance_relative_config=True,
        instance_path=str(instance),
        template_folder=str(root / "templates"),
        static_folder=str(root / "static"),
    )
    security.restrict_files(Path(app.instance_path))
    config.load(app, test_config)
    register_logging(app)
    register_extensions(app)
    register_rooms(app)
    accesslog.index_bearer_routes(app)
    errors.register(app)
    register_commands(app)
    return app


def register_logging(app: Flask) -> None:
    if not logging.getLogger().handlers:
        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )
    logging.getLogger("alembic").setLevel(logging.WARNING)
    logfile.install(app)
    accesslog.init_app(app)


def register_extensions(app: Flask) -> None:
    bodies.init_app(app)  # first: its hook caps the body before CSRF or anyone reads a form
    db.db.init_app(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)
    oauth.init_app(app)
    security.init_app(app)
    jobs.init_app(app)


def register_rooms(app: Flask) -> None:
    """Every room, in the order they are wired (each imports only rooms before it)."""
    auth.init_app(app)
    audit.init_app(app, account_choices=platforms.account_choices)
    staff.init_app(app)
    platforms.init_app(app)
    videos.init_app(app)
    posts.init_app(app)
    metrics.init_app(app)
    privacy.init_app(app)
    notify.init_app(app)
    dashboard.init_app(app)
    site.init_app(app)
    templating.init_app(app, account_pages=platforms.account_pages)


def register_commands(app: Flask) -> None:
    cli.init_app(app)
