"""Real huey consumers (and the web app) in other processes, for crash and restart tests."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests
from flask import Flask

from studio import db, jobs
from studio.videos import digest
from studio.videos.models import Video
from studio.videos.storage import uploads_dir
from tests.helpers import video_row, wait_until

ROOT = Path(__file__).resolve().parents[1]
CONFIG_KEYS = (
    "ENV",
    "TESTING",
    "INSTANCE_PATH",
    "SECRET_KEY",
    "VAULT_KEYS",
    "AUDIT_SEAL_KEY",
    "DATABASE_URL",
    "SQLITE_SYNCHRONOUS",
)
PREFIXES = ("POSTS_", "TIKTOK_", "YOUTUBE_", "GOOGLE_", "META_")  # send tuning, the sandboxes


class Workers:
    """Starts worker processes that serve `app` on a real queue file, and stops them all.

    The app itself is switched to that queue (no eager mode), so tasks it enqueues wait for
    the workers. The app's POSTS_*, TIKTOK_*, YOUTUBE_* and GOOGLE_* keys, as they are when a
    worker starts, are handed to it.
    """

    def __init__(self, app: Flask, folder: Path, threads: int = 2, **overrides: Any) -> None:
        self.app, self.folder, self.threads = app, folder, threads
        app.config.update(
            HUEY_IMMEDIATE=False, HUEY_SQLITE_PATH=str(folder / "jobs.db"), **overrides
        )
        jobs.init_app(app)
        self.started: list[subprocess.Popen] = []
        self.logs: dict[int, str] = {}  # pid → log name

    def config(self) -> dict[str, Any]:
        """The app's configuration as a worker needs it (read when a worker starts)."""
        cfg = self.app.config
        config = {k: cfg[k] for k in CONFIG_KEYS}
        config.update({k: v for k, v in cfg.items() if k.startswith(PREFIXES)})
        config.update(HUEY_IMMEDIATE=False, HUEY_SQLITE_PATH=cfg["HUEY_SQLITE_PATH"])
        return config

    def start(self) -> subprocess.Popen:
        """One more consumer process (its output goes to worker<N>.log in the folder)."""
        threads = {"STUDIO_TEST_WORKER_THREADS": str(self.threads)}
        return self._spawn("tests.worker_main", f"worker{len(self.started)}", threads)

    def _spawn(self, module: str, name: str, extra: dict[str, str]) -> subprocess.Popen:
        log = open(self.folder / f"{name}.log", "wb")  # noqa: SIM115
        env = {**os.environ, "STUDIO_TEST_APP_CONFIG": json.dumps(self.config()), **extra}
        proc = subprocess.Popen(
            [sys.executable, "-m", module], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        log.close()
        self.started.append(proc)
        self.logs[proc.pid] = name
        return proc

    def serve(self) -> str:
        """The web app in a process of its own (werkzeug, threaded); returns its base URL."""
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        proc = self._spawn("tests.web_main", "web", {"STUDIO_TEST_WEB_PORT": str(port)})
        url = f"http://127.0.0.1:{port}"

        def answers() -> bool:
            with requests.Session() as http:
                http.trust_env = False
                try:
                    return http.get(url + "/privacy", timeout=5).status_code == 200
                except requests.ConnectionError:
                    return False

        wait_for(answers, 60, "the web server", proc)
        return url

    def wait_ready(self, proc: subprocess.Popen, timeout: float = 60.0) -> None:
        """Wait until the consumer `proc` has started (it logs so before taking tasks)."""
        log = self.folder / f"{self.logs[proc.pid]}.log"
        wait_for(
            lambda: "Huey consumer started" in log.read_text(errors="replace"),
            timeout,
            f"worker {proc.pid} to start",
            proc,
        )

    def output(self) -> str:
        """Everything the processes logged so far."""
        return "".join(p.read_text(errors="replace") for p in sorted(self.folder.glob("*.log")))

    def alive(self) -> list[subprocess.Popen]:
        """The consumers still running."""
        return [p for p in self.started if p.poll() is None]

    def owner_of(self, port: int) -> subprocess.Popen | None:
        """The live consumer that holds the TCP connection whose local port is `port` (read
        from /proc: the connection's socket inode, then whose file descriptors point to it)."""
        sockets = set()
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[9] != "0":
                    sockets.add(f"socket:[{fields[9]}]")
        for proc in self.alive():
            for fd in Path(f"/proc/{proc.pid}/fd").iterdir():
                try:
                    if os.readlink(fd) in sockets:
                        return proc
                except OSError:  # closed meanwhile
                    continue
        return None

    @staticmethod
    def kill(proc: subprocess.Popen) -> None:
        """SIGKILL: no cleanup, no signal handler, the task it ran is simply gone."""
        proc.send_signal(signal.SIGKILL)
        proc.wait()

    def stop(self) -> None:
        """Stop every consumer (SIGINT, then SIGKILL) and print the tail of their logs."""
        for log in sorted(self.folder.glob("*.log")):  # shown by pytest on failure
            print(f"--- {log.name}\n{log.read_text(errors='replace')[-4000:]}")
        for proc in self.alive():
            proc.send_signal(signal.SIGINT)
        for proc in self.started:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill(proc)


def wait_for(predicate: Callable[[], Any], timeout: float, what: str, worker: Any = None) -> Any:
    """`wait_until(predicate, ...)`, failing at once should the process `worker` die."""

    def check() -> Any:
        assert worker is None or worker.poll() is None, f"the worker process died ({what})"
        return predicate()

    return wait_until(check, timeout, what)


def big_video(app: Flask, size: int, source: Path | None = None) -> Video:
    """A stored video of random bytes (the sandbox does not probe), large enough for chunks.

    With `source`, the file is a copy of it whose first bytes are made unique (quicker than
    fresh random bytes for many large videos).
    """
    with app.app_context():
        name = f"{uuid.uuid4().hex}.mp4"
        path = uploads_dir() / name
        if source is None:
            path.write_bytes(os.urandom(size))
        else:
            shutil.copyfile(source, path)
            with open(path, "r+b") as fh:
                fh.write(os.urandom(32))
        return stored_video(name, "big.mp4")


def stored_video(storage_name: str, display_name: str) -> Video:
    """A Video row for a file already in the upload folder, described as a 10 s portrait MP4
    without probing it (tests and benchmarks send random bytes; the sandbox does not probe).
    Needs an app context."""
    path = uploads_dir() / storage_name
    video = video_row(
        storage_name, digest.of_file(path), path.stat().st_size, display_name=display_name
    )
    db.session.add(video)
    db.session.commit()
    return video
