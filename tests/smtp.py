"""A loopback SMTP server for tests of outgoing mail: `smtp_server.messages` holds what it took."""

from __future__ import annotations

import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class Handler(socketserver.StreamRequestHandler):
    """Just enough SMTP to accept one message (no TLS, no auth)."""

    def handle(self) -> None:
        self.wfile.write(b"220 test ESMTP\r\n")
        data = False
        lines: list[bytes] = []
        for raw in self.rfile:
            if data:
                if raw == b".\r\n":
                    self.server.messages.append(b"".join(lines))  # type: ignore[attr-defined]
                    data = False
                    self.wfile.write(b"250 queued\r\n")
                else:
                    lines.append(raw)
                continue
            verb = raw[:4].upper()
            if verb == b"EHLO":
                self.wfile.write(b"250 test\r\n")
            elif verb == b"DATA":
                data = True
                self.wfile.write(b"354 go on\r\n")
            elif verb == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


@contextmanager
def serving() -> Iterator[socketserver.ThreadingTCPServer]:
    """The server on a free loopback port while the block runs."""
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
    server.messages = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
