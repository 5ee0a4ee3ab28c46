"""Oversized bodies over real sockets, chunked or not, under the dev server and gunicorn: 413."""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

from studio import db
from studio.platforms.models import WebhookDelivery
from studio.privacy.hooks import MAX_BODY
from studio.privacy.models import DeletionRequest
from studio.sandbox.webhooks import build_body, sign
from studio.videos.models import UploadSession
from tests.adversarial.conftest import count
from tests.conftest import AuthActions
from tests.videos.conftest import uploader_for
from tests.workers import CONFIG_KEYS

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")
DEADLINE = 30.0
KIB = 1024


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _answers(port: int, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        assert proc is None or proc.poll() is None, "the server exited"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError("the server did not answer")


def _dev_server(app: Flask) -> Iterator[int]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port
    server.shutdown()
    thread.join(DEADLINE)


def _gunicorn(app: Flask, folder: Path) -> Iterator[int]:
    port = _free_port()
    config = {k: app.config[k] for k in CONFIG_KEYS}
    config.update(MAX_CONTENT_LENGTH=app.config["MAX_CONTENT_LENGTH"])
    env = {**os.environ, "STUDIO_TEST_APP_CONFIG": json.dumps(config)}
    command = [str(GUNICORN), "-w", "1", "-k", "sync", "-b", f"127.0.0.1:{port}"]
    with open(folder / "gunicorn.log", "wb") as log:
        proc = subprocess.Popen(
            [*command, "tests.web_main:build()"], cwd=ROOT, env=env, stdout=log, stderr=log
        )
    try:
        _answers(port, proc)
        yield port
    finally:
        proc.terminate()
        proc.wait(DEADLINE)


@pytest.fixture(params=["dev_server", "gunicorn"])
def served(request: pytest.FixtureRequest, make_app, tmp_path: Path) -> Iterator[tuple]:
    """(app, port): the app behind a real HTTP server, production's 64 MiB ceiling set."""
    app = make_app(MAX_CONTENT_LENGTH=64 * KIB * KIB)
    if request.param == "dev_server":
        yield from ((app, port) for port in _dev_server(app))
    else:
        yield from ((app, port) for port in _gunicorn(app, tmp_path))


def send_chunked(
    port: int, path: str, headers: dict[str, str], body: bytes, *, finish: bool = True
) -> tuple[int, bytes]:
    """POST ``body`` with Transfer-Encoding: chunked over a raw socket; (status, body).

    With ``finish`` False the terminating chunk is never sent: a server that waits for the
    whole body never answers, and the read times out.
    """
    sock = socket.create_connection(("127.0.0.1", port), timeout=DEADLINE)
    lines = [f"POST {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Transfer-Encoding: chunked"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
    try:
        for start in range(0, len(body), 16 * KIB):
            chunk = body[start : start + 16 * KIB]
            sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        if finish:
            sock.sendall(b"0\r\n\r\n")
    except (BrokenPipeError, ConnectionResetError):
        pass  # the server answered and closed before the body ended
    return _read_response(sock)


def _read_response(sock: socket.socket) -> tuple[int, bytes]:
    data = b""
    with sock:
        while b"\r\n\r\n" not in data:
            data += _recv(sock)
        head, _, rest = data.partition(b"\r\n\r\n")
        length = next(
            int(line.split(b":", 1)[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        )
        while len(rest) < length:
            rest += _recv(sock)
    return int(head.split(b" ", 2)[1]), rest[:length]


def _recv(sock: socket.socket) -> bytes:
    data = sock.recv(65536)
    assert data, "the server closed without answering"
    return data


def signed_headers(body: bytes) -> dict[str, str]:
    signature = sign("sandbox-client-secret", int(time.time()), body)
    return {"TikTok-Signature": signature, "Content-Type": "application/json"}


def padded_event(size: int) -> bytes:
    """A signed-able TikTok envelope padded with JSON whitespace to exactly ``size`` bytes."""
    body = build_body(
        "sandbox-client-key", "post.publish.inbox_delivered", "x", {"publish_id": "p"}
    )
    return body[:-1] + b" " * (size - len(body)) + b"}"


def test_an_endless_chunked_webhook_is_refused_after_its_cap(served: tuple) -> None:
    app, port = served
    # 10 MiB announced by nothing; the terminating chunk never comes. Before: read whole.
    status, body = send_chunked(port, "/webhooks/tiktok", {}, b"x" * 4 * MAX_BODY, finish=False)
    assert (status, json.loads(body)) == (413, {"error": "body too large"})
    assert count(app, WebhookDelivery) == 0


def test_a_signed_chunked_webhook_one_byte_over_the_cap_is_413_not_truncated(
    served: tuple,
) -> None:
    app, port = served
    over = padded_event(MAX_BODY + 1)
    status, body = send_chunked(port, "/webhooks/tiktok", signed_headers(over), over)
    assert (status, json.loads(body)) == (413, {"error": "body too large"})
    exact = padded_event(MAX_BODY)
    status, body = send_chunked(port, "/webhooks/tiktok", signed_headers(exact), exact)
    assert (status, json.loads(body)) == (200, {"ok": True})
    assert count(app, WebhookDelivery) == 1


def test_an_endless_chunked_form_is_refused_after_the_default_cap(served: tuple) -> None:
    app, port = served
    form = b"kind=tiktok&name=" + b"x" * 4 * app.config["MAX_BODY_BYTES"]
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    status, body = send_chunked(port, "/data-deletion", headers, form, finish=False)
    assert status == 413
    assert b"The upload is larger than this server accepts." in body
    assert count(app, DeletionRequest) == 0


def test_a_declared_length_over_the_cap_is_413_before_any_byte(served: tuple) -> None:
    app, port = served
    sock = socket.create_connection(("127.0.0.1", port), timeout=DEADLINE)
    sock.sendall(
        b"POST /webhooks/tiktok HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\n\r\n" % (70 * KIB * KIB)
    )
    status, body = _read_response(sock)
    assert (status, json.loads(body)) == (413, {"error": "body too large"})
    assert count(app, WebhookDelivery) == 0


def test_a_streamed_upload_part_over_its_own_cap_is_413_and_counts_nothing(
    make_app, users: dict
) -> None:
    # No MAX_CONTENT_LENGTH (the development default): the part's own cap still holds.
    app = make_app(UPLOAD_MAX_PART_BYTES=64 * KIB)
    client = app.test_client()
    AuthActions(app, client).login()
    up = uploader_for(client)
    url = up.create(200 * KIB).get_json()["url"]
    response = client.patch(
        url,
        input_stream=io.BytesIO(b"\0" * 100 * KIB),  # no Content-Length, as chunked arrives
        environ_overrides={"wsgi.input_terminated": True},
        headers={
            "X-CSRFToken": up.token,
            "Content-Type": "application/offset+octet-stream",
            "Upload-Offset": "0",
        },
    )
    assert response.status_code == 413
    assert response.get_json()["error"]["message"] == (
        "This part is larger than the server accepts in one request (64 KiB)."
    )
    with app.app_context():
        assert db.session.get(UploadSession, url.rsplit("/", 1)[1]).offset == 0
