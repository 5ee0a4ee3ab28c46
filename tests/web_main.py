"""Serve a test app over HTTP on 127.0.0.1:STUDIO_TEST_WEB_PORT (config as in worker_main).

``build()`` is the same app for gunicorn: ``gunicorn "tests.web_main:build()"``.
"""

from __future__ import annotations

import json
import os

from flask import Flask
from werkzeug.serving import make_server

from studio import create_app


def build() -> Flask:
    """The app exactly as the test built it (its config in STUDIO_TEST_APP_CONFIG)."""
    return create_app(json.loads(os.environ["STUDIO_TEST_APP_CONFIG"]))


def main() -> None:
    """Build the app exactly as the test did, then serve it (threaded) until killed."""
    app = build()
    port = int(os.environ["STUDIO_TEST_WEB_PORT"])
    make_server("127.0.0.1", port, app, threaded=True).serve_forever()


if __name__ == "__main__":
    main()
