"""Serve a test app over HTTP on 127.0.0.1:STUDIO_TEST_WEB_PORT (config as in worker_main)."""

from __future__ import annotations

import json
import os

from werkzeug.serving import make_server

from studio import create_app


def main() -> None:
    """Build the app exactly as the test did, then serve it (threaded) until killed."""
    app = create_app(json.loads(os.environ["STUDIO_TEST_APP_CONFIG"]))
    port = int(os.environ["STUDIO_TEST_WEB_PORT"])
    make_server("127.0.0.1", port, app, threaded=True).serve_forever()


if __name__ == "__main__":
    main()
