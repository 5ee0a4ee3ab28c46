"""The application's own log file (``LOG_FILE``): rotated at midnight, kept LOG_RETENTION_DAYS.

Log lines hold client addresses (access lines) for finding faults and stopping abuse; the
privacy policy states how long they are kept, and this rotation is what deletes them.
"""

from __future__ import annotations

import logging
from logging.handlers import TimedRotatingFileHandler
from pathlib import Path

from flask import Flask

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def install(app: Flask) -> TimedRotatingFileHandler | None:
    """Add the rotating file handler to the root logger once per file; None without LOG_FILE."""
    configured = app.config.get("LOG_FILE")
    if not configured:
        return None
    path = Path(configured).resolve()
    root = logging.getLogger()
    for handler in root.handlers:
        if isinstance(handler, TimedRotatingFileHandler) and handler.baseFilename == str(path):
            return handler
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = TimedRotatingFileHandler(
        path,
        when="midnight",
        backupCount=int(app.config["LOG_RETENTION_DAYS"]),
        utc=True,
        encoding="utf-8",
    )
    handler.setFormatter(logging.Formatter(FORMAT))
    root.addHandler(handler)
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)
    return handler
