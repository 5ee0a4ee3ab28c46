"""Run the sandbox on loopback: a background-thread context manager and a blocking runner."""

from __future__ import annotations

import threading
from types import TracebackType
from typing import Any

from flask import Flask
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from studio.sandbox import create_sandbox, holds
from studio.sandbox.meta.handle import MetaHandle
from studio.sandbox.state import SandboxState
from studio.sandbox.youtube import YouTubeState


class SandboxHandler(WSGIRequestHandler):
    """Keeps the raw request headers: werkzeug drops names with `_`, such as rupload's
    `file_size` (studio/sandbox/meta/rupload.py reads them from here)."""

    def make_environ(self) -> Any:
        environ = super().make_environ()
        environ["sandbox.raw_headers"] = list(self.headers.items())
        return environ


class QuietHandler(SandboxHandler):
    """Request handler that logs nothing (no per-request lines on stderr)."""

    def log(self, type: str, message: str, *args: Any) -> None:
        """Swallow werkzeug's access and error lines."""


class SandboxServer:
    """The sandbox on 127.0.0.1 in a daemon thread; use as a context manager."""

    def __init__(
        self,
        config: dict[str, Any] | None = None,
        port: int = 0,
        host: str = "127.0.0.1",
        quiet: bool = True,
        youtube: dict[str, Any] | None = None,
        meta: dict[str, Any] | None = None,
    ) -> None:
        self.app: Flask = create_sandbox(config, youtube, meta)
        self.state: SandboxState = self.app.extensions["tiktok_sandbox"]
        self.youtube: YouTubeState = self.app.extensions["youtube_sandbox"]
        handler = QuietHandler if quiet else SandboxHandler
        self._server: BaseWSGIServer = make_server(
            host, port, self.app, threaded=True, request_handler=handler
        )
        self.port: int = self._server.server_port
        self.url = f"http://{host}:{self.port}"
        self.meta = MetaHandle(self.app.extensions["meta_sandbox"], self.url)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            args=(0.05,),
            name=f"tiktok-sandbox-{self.port}",
            daemon=True,
        )
        self._thread.start()

    def configure(self, **changes: Any) -> None:
        """Change config keys at runtime (see SandboxConfig)."""
        self.state.config.update(changes)
        if "seed" in changes:
            self.state.reseed()

    def send_webhook(
        self, event: str, open_id: str, content: dict[str, Any], wait: bool = False
    ) -> dict[str, Any]:
        """Send a signed webhook to the configured webhook_url."""
        return self.state.send_webhook(event, open_id, content, wait)

    def stop(self) -> None:
        """Stop serving, let parked calls go, cancel pending status timers, close the socket."""
        holds.release_all(self.state)
        holds.release_all(self.youtube)
        self.meta.stop()
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join(timeout=5)
        self.state.cancel_timers()
        self.youtube.cancel_timers()
        self.meta.stop()
        self._server.server_close()

    def __enter__(self) -> SandboxServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def run_sandbox(
    host: str = "127.0.0.1",
    port: int = 5001,
    config: dict[str, Any] | None = None,
    youtube: dict[str, Any] | None = None,
    meta: dict[str, Any] | None = None,
) -> None:
    """Serve the sandbox in the foreground until interrupted (request lines are logged)."""
    app = create_sandbox(config, youtube, meta)
    server = make_server(host, port, app, threaded=True, request_handler=SandboxHandler)
    print(
        f" * Sandbox (TikTok, YouTube: /google, Meta: /meta) on http://{host}:{server.server_port}/",
        flush=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
