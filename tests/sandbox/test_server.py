"""SandboxServer lifecycle and the blocking run_sandbox entry point."""

from __future__ import annotations

import socket
import subprocess
import sys

import requests

from studio.sandbox import create_sandbox
from studio.sandbox.server import SandboxServer
from tests.helpers import wait_until


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_create_sandbox_exposes_state() -> None:
    app = create_sandbox({"client_key": "ck", "seed": 9})
    state = app.extensions["tiktok_sandbox"]
    assert state.config.client_key == "ck" and state.config.seed == 9
    client = app.test_client()
    assert client.get("/_sandbox/config").json["client_key"] == "ck"


def test_server_on_given_port_and_stop(http: requests.Session) -> None:
    port = _free_port()
    server = SandboxServer(port=port)
    assert server.url == f"http://127.0.0.1:{port}"
    assert http.get(f"{server.url}/_sandbox/creators").status_code == 200
    server.stop()
    server.stop()


def test_run_sandbox_standalone(http: requests.Session) -> None:
    port = _free_port()
    code = (
        "from studio.sandbox.server import run_sandbox; "
        f"run_sandbox('127.0.0.1', {port}, {{'client_key': 'standalone'}})"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:

        def answers() -> dict | None:
            try:
                return http.get(f"http://127.0.0.1:{port}/_sandbox/config", timeout=5).json()
            except requests.ConnectionError:
                return None

        config = wait_until(answers, 60, "the standalone sandbox to answer")
        assert config["client_key"] == "standalone"
    finally:
        proc.terminate()
        proc.wait(timeout=5)
