"""The browser tests' live server: a client that resets the connection leaves no file open."""

from __future__ import annotations

import gc
import socket
import struct
import threading
import warnings

from flask import Flask

from tests.e2e.conftest import LiveServer
from tests.helpers import wait_until


def requests_done() -> bool:
    """No request thread of a werkzeug server (ThreadingMixIn names them after their target)
    is still running."""
    return not any("process_request_thread" in t.name for t in threading.enumerate())


def test_a_reset_mid_static_file_closes_the_file(app: Flask) -> None:
    """werkzeug's dev server skips closing the response when the client's reset surfaces
    while it drains the socket; the unclosed static file then warns when it is collected.
    Browsers reset connections when a page navigates away mid-download."""
    with LiveServer(app) as server, warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always", ResourceWarning)
        port = int(server.url.rsplit(":", 1)[1])
        for _ in range(20):
            client = socket.create_connection(("127.0.0.1", port), timeout=5)
            client.sendall(b"GET /static/img/logo.svg HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            assert client.recv(12).startswith(b"HTTP/1.1 200")
            client.sendall(b"x")  # leaves a byte for the server to drain: the reset lands there
            client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            client.close()
        wait_until(requests_done, 10, "the server's request threads to finish")
        gc.collect()
    assert [w for w in seen if issubclass(w.category, ResourceWarning)] == []
