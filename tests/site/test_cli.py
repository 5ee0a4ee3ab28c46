"""Operations commands that are not tied to one room."""

from __future__ import annotations

import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from studio.cli import sandbox_redirect_uris


def test_sandbox_accepts_the_demo_under_both_local_names() -> None:
    assert sandbox_redirect_uris("http://127.0.0.1:5000") == [
        "http://127.0.0.1:5000/tiktok/callback",
        "http://127.0.0.1:5000/privacy/verify/callback",
        "http://localhost:5000/tiktok/callback",
        "http://localhost:5000/privacy/verify/callback",
    ]


def test_sandbox_accepts_the_meta_callback_under_both_local_names() -> None:
    assert sandbox_redirect_uris("http://127.0.0.1:5000", ("/meta/callback",)) == [
        "http://127.0.0.1:5000/meta/callback",
        "http://localhost:5000/meta/callback",
    ]


def test_sandbox_registers_a_public_url_once() -> None:
    assert sandbox_redirect_uris("https://studio.example.com") == [
        "https://studio.example.com/tiktok/callback",
        "https://studio.example.com/privacy/verify/callback",
    ]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_demo_shows_the_admin_password_again_once_the_server_is_up(tmp_path: Path) -> None:
    """`make demo` (init, then demo): the one-time password is the last thing printed once the
    server answers, not lost above the server's start-up lines."""
    flask = [sys.executable, "-m", "flask", "--app", "studio"]
    env = {
        **os.environ,
        "STUDIO_INSTANCE_PATH": str(tmp_path / "instance"),
        "STUDIO_ENV": "demo",
        "STUDIO_SANDBOX_PORT": str(_free_port()),
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("STUDIO_DATABASE_URL", None)
    subprocess.run([*flask, "init"], env=env, check=True, capture_output=True, timeout=120)
    port = _free_port()
    lines: queue.Queue[str] = queue.Queue()
    demo = subprocess.Popen(
        [*flask, "demo", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    reader = threading.Thread(target=lambda: [lines.put(x) for x in demo.stdout], daemon=True)
    reader.start()
    seen: list[str] = []
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and not any("demo is up" in x for x in seen):
            try:
                seen.append(lines.get(timeout=1))
            except queue.Empty:
                assert demo.poll() is None, seen
        while time.monotonic() < deadline and not any("Password:" in x for x in seen[-5:]):
            seen.append(lines.get(timeout=5))
    finally:
        os.killpg(demo.pid, signal.SIGINT)
        demo.wait(timeout=20)
        reader.join(timeout=5)
        demo.stdout.close()
    passwords = [x.split()[1] for x in seen if x.strip().startswith("Password:")]
    up = next(i for i, x in enumerate(seen) if "demo is up" in x)
    assert len(passwords) == 2 and passwords[0] == passwords[1], seen
    assert any("Password:" in x for x in seen[up:]), seen  # again, after the server is up
