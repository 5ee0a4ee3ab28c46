"""Run `flask worker` for a test app whose config comes as JSON in STUDIO_TEST_APP_CONFIG."""

from __future__ import annotations

import json
import os

from studio import create_app
from studio.cli import worker_command


def main() -> None:
    """Build the app exactly as the test did, then run the real huey consumer."""
    app = create_app(json.loads(os.environ["STUDIO_TEST_APP_CONFIG"]))
    threads = os.environ.get("STUDIO_TEST_WORKER_THREADS", "2")
    result = app.test_cli_runner().invoke(worker_command, ["--workers", threads])
    if result.exception is not None:
        raise result.exception


if __name__ == "__main__":
    main()
