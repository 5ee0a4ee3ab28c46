"""Social Studio: publish your company's product videos to its own TikTok account."""

from __future__ import annotations

import importlib
import logging
import os
from pathlib import Path
from typing import Any

from flask import Flask

from studio import accesslog, bodies, config, db, errors, jobs, logfile, security
from studio.extensions import csrf, limiter, login_manager, oauth

ROOMS = (
    "site",
    "auth",
    "staff",
    "dashboard",
    "platforms.tiktok",
    "videos",
    "posts",
    "audit",
    "privacy",
)


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
    for name in ROOMS:
        try:
            module = importlib.import_module(f"studio.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"studio.{name}":
                raise
            continue
        if hasattr(module, "bp"):
            app.register_blueprint(module.bp)
        if hasattr(module, "init_app"):
            module.init_app(app)

    from studio.templating import init_app as init_templating

    init_templating(app)


def register_commands(app: Flask) -> None:
    from studio import cli

    cli.init_app(app)
