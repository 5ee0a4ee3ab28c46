"""A multi-process deployment on loopback: gunicorn web workers, huey consumers, the sandbox.

Used by the deployment tests and by ``bench/load.py``. PostgreSQL is given as a server URL (a
fresh database is created on it for each deployment and dropped afterwards); Redis is a
throwaway ``redis-server`` started here (CI installs it; see ``.ci/run``).
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import requests
from cryptography.fernet import Fernet
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


class StackError(RuntimeError):
    """A process of the deployment did not come up or died; the message holds its log tail."""


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, timeout: float = 30.0, proc: subprocess.Popen[bytes] | None = None) -> None:
    """Poll ``url`` until it answers (any status) or fail; stop early if ``proc`` died."""
    deadline = time.monotonic() + timeout
    with requests.Session() as http:
        http.trust_env = False
        while time.monotonic() < deadline:
            if proc is not None and proc.poll() is not None:
                raise StackError(f"{url}: the process exited with {proc.returncode}")
            try:
                http.get(url, timeout=2)
                return
            except requests.RequestException:
                time.sleep(0.2)
    raise StackError(f"{url} did not come up within {timeout} s")


def redis_available() -> bool:
    """Whether a ``redis-server`` binary is on PATH."""
    return shutil.which("redis-server") is not None


class RedisServer:
    """A throwaway ``redis-server`` on a free loopback port, without persistence."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> RedisServer:
        self.workdir.mkdir(parents=True, exist_ok=True)
        args = [
            "redis-server",
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(self.workdir),
        ]
        with open(self.workdir / "redis.log", "ab") as log:  # the child keeps its own copy
            self.proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise StackError(f"redis-server exited with {self.proc.returncode}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return self
            except OSError:
                time.sleep(0.1)
        raise StackError("redis-server did not answer PING within 15 s")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=15)
            self.proc = None

    def __enter__(self) -> RedisServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class PostgresDatabase:
    """A fresh database on the server of ``server_url`` (CREATE DATABASE), dropped on exit."""

    def __init__(self, server_url: str, prefix: str = "studio_deploy") -> None:
        self.name = f"{prefix}_{secrets.token_hex(4)}"
        base = make_url(server_url)
        self._admin = base.set(drivername="postgresql", database="postgres")
        self.url = base.set(database=self.name).render_as_string(hide_password=False)

    def _execute(self, sql: str) -> None:
        import psycopg

        dsn = self._admin.render_as_string(hide_password=False)
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(sql)  # type: ignore[arg-type]

    def create(self) -> PostgresDatabase:
        self._execute(f'CREATE DATABASE "{self.name}"')
        return self

    def drop(self) -> None:
        self._execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def __enter__(self) -> PostgresDatabase:
        return self.create()

    def __exit__(self, *exc: object) -> None:
        self.drop()


class Stack:
    """Web (gunicorn, N sync workers), N job consumers and the sandbox, as real processes."""

    def __init__(
        self,
        workdir: Path,
        database_url: str,
        redis_url: str | None = None,
        *,
        web_workers: int = 2,
        job_workers: int = 2,
        job_threads: int = 2,
        extra_env: dict[str, str] | None = None,
    ) -> None:
        self.workdir = workdir
        self.web_port, self.sandbox_port = free_port(), free_port()
        self.url = f"http://127.0.0.1:{self.web_port}"
        self.sandbox_url = f"http://127.0.0.1:{self.sandbox_port}"
        self.web_workers, self.job_workers, self.job_threads = web_workers, job_workers, job_threads
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self.env = {
            **os.environ,
            "STUDIO_ENV": "development",
            "STUDIO_INSTANCE_PATH": str(workdir / "instance"),
            "STUDIO_SECRET_KEY": secrets.token_urlsafe(32),
            "STUDIO_VAULT_KEYS": Fernet.generate_key().decode(),
            "STUDIO_AUDIT_SEAL_KEY": secrets.token_urlsafe(32),
            "STUDIO_DATABASE_URL": database_url,
            "STUDIO_TIKTOK_AUTH_URL": f"{self.sandbox_url}/v2/auth/authorize/",
            "STUDIO_TIKTOK_API_BASE": self.sandbox_url,
            "STUDIO_SANDBOX_PORT": str(self.sandbox_port),
            "STUDIO_PUBLIC_URL": self.url,
            "PYTHONUNBUFFERED": "1",
            **(extra_env or {}),
        }
        if redis_url:
            self.env["STUDIO_REDIS_URL"] = redis_url

    def _spawn(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        with open(self.workdir / f"{name}.log", "ab") as out:  # the child keeps its own copy
            proc = subprocess.Popen(
                list(args), cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT
            )
        self.procs[name] = proc
        return proc

    def flask(self, *args: str, input_text: str | None = None, check: bool = True) -> str:
        """Run a ``flask --app studio`` command to completion and return its output."""
        result = subprocess.run(
            [str(BIN / "flask"), "--app", "studio", *args],
            cwd=ROOT,
            env=self.env,
            input=input_text,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if check and result.returncode != 0:
            raise StackError(f"flask {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
        return result.stdout + result.stderr

    def create_user(self, email: str, password: str, role: str = "staff") -> None:
        """A staff account through the real CLI (password on stdin)."""
        self.flask("create-user", email, "--role", role, input_text=password + "\n")

    def init(self) -> Stack:
        """Create the instance folder and migrate the database (no processes yet)."""
        (self.workdir / "instance").mkdir(parents=True, exist_ok=True)
        self.flask("init")
        return self

    def start(self) -> Stack:
        """Migrate, then start the sandbox, gunicorn and the consumers; wait until they answer."""
        if not (self.workdir / "instance").exists():
            self.init()
        flask = [str(BIN / "flask"), "--app", "studio"]
        sandbox = self._spawn("sandbox", *flask, "sandbox", "--port", str(self.sandbox_port))
        web = self._spawn(
            "web",
            str(BIN / "gunicorn"),
            "--config",
            "deploy/gunicorn.conf.py",
            "--bind",
            f"127.0.0.1:{self.web_port}",
            "--workers",
            str(self.web_workers),
        )
        for i in range(self.job_workers):
            self._spawn(f"worker{i}", *flask, "worker", "--workers", str(self.job_threads))
        try:
            wait_for(self.sandbox_url + "/_sandbox/state", proc=sandbox)
            wait_for(self.url + "/healthz", proc=web)
        except StackError as exc:
            self.stop()
            raise StackError(f"{exc}\n{self.log_tail()}") from exc
        return self

    def sandbox(self, path: str, body: dict[str, Any] | None = None) -> Any:
        """Call the sandbox's control API (GET without a body, POST with one); the JSON answer."""
        with requests.Session() as http:
            http.trust_env = False
            url = f"{self.sandbox_url}/_sandbox/{path}"
            answer = (
                http.get(url, timeout=10) if body is None else http.post(url, json=body, timeout=10)
            )
        answer.raise_for_status()
        return answer.json()

    def dead(self) -> list[str]:
        """Names of processes that exited on their own."""
        return [name for name, proc in self.procs.items() if proc.poll() is not None]

    def log(self, name: str) -> str:
        """The whole log of one process (``web``, ``sandbox``, ``worker0``…)."""
        path = self.workdir / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def log_tail(self, lines: int = 40) -> str:
        """The last lines of every process's log, for failure messages."""
        parts = []
        for name in self.procs:
            tail = "\n".join(self.log(name).splitlines()[-lines:])
            parts.append(f"--- {name} ---\n{tail}")
        return "\n".join(parts)

    def stop(self) -> None:
        """SIGTERM everything, then SIGKILL what is still running after 15 s."""
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs.values():
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.procs.clear()

    def __enter__(self) -> Stack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
