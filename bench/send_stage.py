"""app → TikTok and YouTube: the real send job uploading to the sandbox, beside `curl -T`.

What runs: a fresh instance (SQLite, huey on SQLite) with a TikTok account connected to a local
sandbox, a `Video` row whose file is the given file (linked, not copied; the sandbox does not
probe, so random bytes are fine), and a post sent by a real huey consumer in its own process
(`flask worker` as deployed, two worker threads).

Figures:
- the job's upload throughput: bytes / (uploaded_at - sent_at), both recorded by the job, so
  worker start-up, init and TikTok's processing are left out;
- the baseline: the same chunk plan sent with `curl -T <chunk file> -X PUT` to a fresh
  upload_url of the same sandbox (a separate init); chunk files are cut before timing;
- the ratio job / curl (target ≥ 0.7), best of three interleaved runs each (the machine is
  shared, single runs are noisy); every run is listed too;
- the worker's peak RSS (VmHWM) and its growth over the idle worker (target ≤ 64 MB, flat as
  the file grows: chunks are streamed from disk in 1 MiB blocks, never held in memory).
- Meta's rupload path the same way, with the same worker and sandbox: the job publishing an
  Instagram Reel (bytes / (uploaded_at - sent_at): container made → Meta holds every byte),
  beside `curl -T` POSTing the file to a fresh container's rupload URI with the same headers;
  files above Instagram's 300 MB are skipped (the app refuses them before sending).

YouTube (bench/youtube_send.py): the same, with a channel connected to the sandbox's Google, the
job's resumable upload (YOUTUBE_CHUNK_SIZE pieces) beside curl PUTting the same pieces to a fresh
session of the same sandbox; bytes / (uploaded_at - sent_at), sent_at being when the session
opened.

Run alone: .venv/bin/python bench/send_stage.py [size_mib ...]   (default: 256 1024; both
platforms for each size)
bench/upload_pipeline.py calls stage_send(ctx) with the video it just uploaded.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MIB = 1024 * 1024
TARGET_RATIO = 0.7
TARGET_RSS_MB = 64
REPEAT = 3
SANDBOX_REDIRECT = "http://127.0.0.1:5000/auth/tiktok/callback/"
META_REDIRECT = "https://app.example.com/meta/callback"  # tests' seed_accounts logs in with it
Result = tuple[str, str, str, str, str, str]  # stage, figure, value, baseline, ratio, target


def stage_send(target: Any) -> list[Any]:
    """Send `target` (a file path, or upload_pipeline's Context) and return the figures.

    With a path: rows of (label, figure). With a Context: upload_pipeline's `Row` objects.
    """
    path = Path(getattr(target, "video_path", target))
    results = measure(path)
    if hasattr(target, "video_path"):
        from bench.upload_pipeline import Row

        return [Row(*r) for r in results]
    return [(f"{r[0]}: {r[1]}", _figure(r)) for r in results]


def _figure(r: Result) -> str:
    parts = [r[2]]
    if r[3]:
        parts.append(f"baseline {r[3]}")
    if r[4]:
        parts.append(f"ratio {r[4]}")
    if r[5]:
        parts.append(f"target {r[5]}")
    return " · ".join(parts)


def measure(path: Path, repeat: int = REPEAT, platform: str = "tiktok") -> list[Result]:
    """Run the job and the curl baseline on one file, interleaved, best of `repeat` each."""
    from bench.youtube_send import YOUTUBE_SANDBOX, YouTubeBench
    from studio.sandbox.server import SandboxServer

    size = path.stat().st_size
    label = f"{'YouTube' if platform == 'youtube' else 'TikTok'}: send {size / MIB:.0f} MiB"
    sandbox = {
        "status_step_delay": 0.05,
        "redirect_uris": [SANDBOX_REDIRECT],
        "pending_share_limit": 100,  # repeated runs are not TikTok's draft limit under test
        "rate_limit_init": 60,
    }
    kind = YouTubeBench if platform == "youtube" else Bench
    meta = {"processing_delay": 0.05, "redirect_uris": [META_REDIRECT]}
    with (
        tempfile.TemporaryDirectory(prefix="send-stage-") as tmp,
        SandboxServer(sandbox, youtube=YOUTUBE_SANDBOX, meta=meta) as sb,
    ):
        bench = kind(Path(tmp), sb, path)
        parts = bench.cut_chunks()
        worker = bench.start_worker()
        try:
            idle = _rss(worker.pid, "VmRSS")
            job_runs, curl_runs = [], []
            for _ in range(repeat):
                job_runs.append(bench.send_once(worker))
                curl_runs.append(bench.curl_once(parts))
            peak = _rss(worker.pid, "VmHWM")
            # Meta's rupload rides along once per size (with TikTok's run).
            meta_rows = MetaBench(bench, sb).measure(worker, repeat, idle) if kind is Bench else []
        finally:
            stop(worker)
        completed = bench.completed(sb, size)
    job, base = size / min(job_runs) / 1e6, size / min(curl_runs) / 1e6
    intact = len(completed) == 2 * repeat and {u["sha256"] for u in completed} == {bench.sha256}
    return meta_rows + [
        (
            label,
            f"job upload, best of {repeat} (MB/s)",
            f"{job:.0f}",
            f"{base:.0f}",
            f"{job / base:.2f}",
            f"≥ {TARGET_RATIO}",
        ),
        (
            label,
            "job upload, all runs (MB/s)",
            _runs(size, job_runs),
            _runs(size, curl_runs),
            "",
            "",
        ),
        (label, "worker peak RSS (MB)", f"{peak / 1e6:.0f}", f"idle {idle / 1e6:.0f}", "", ""),
        (
            label,
            "worker RSS growth (MB)",
            f"{(peak - idle) / 1e6:.1f}",
            "",
            "",
            f"≤ {TARGET_RSS_MB}",
        ),
        (label, "every upload complete and intact", "yes" if intact else "NO", "", "", "yes"),
    ]


def _runs(size: int, seconds: list[float]) -> str:
    return "/".join(f"{size / s / 1e6:.0f}" for s in seconds)


def stop(worker: subprocess.Popen) -> None:
    """Stop a worker the way an operator does (SIGINT finishes running tasks)."""
    worker.send_signal(signal.SIGINT)
    try:
        worker.wait(timeout=30)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


class Bench:
    """One instance, one account, one post: the app side of the measurement."""

    def __init__(self, tmp: Path, sandbox: Any, path: Path) -> None:
        from cryptography.fernet import Fernet

        sandbox_url = sandbox.url
        self.tmp, self.path, self.sandbox_url = tmp, path, sandbox_url
        instance = tmp / "instance"
        (instance / "uploads").mkdir(parents=True)
        self.config: dict[str, Any] = {
            "ENV": "testing",
            "INSTANCE_PATH": str(instance),
            "SECRET_KEY": os.urandom(24).hex(),
            "VAULT_KEYS": Fernet.generate_key().decode(),
            "AUDIT_SEAL_KEY": os.urandom(16).hex(),
            "DATABASE_URL": f"sqlite:///{instance / 'studio.db'}",
            "HUEY_IMMEDIATE": False,
            "HUEY_SQLITE_PATH": str(tmp / "jobs.db"),
            "TIKTOK_API_BASE": sandbox_url,
            "TIKTOK_AUTH_URL": sandbox_url + "/v2/auth/authorize/",
            "TIKTOK_TIMEOUT": 120.0,
            "POSTS_POLL_BASE": 0.05,
            "POSTS_POLL_CAP": 0.2,
            "POSTS_PENDING_DRAFT_LIMIT": 100,
            "META_APP_ID": sandbox.meta.state.config.app_id,
            "META_APP_SECRET": sandbox.meta.state.config.app_secret,
            "META_AUTH_URL": sandbox.meta.auth_url(),
            "META_GRAPH_BASE": sandbox.meta.graph,
            "META_UPLOAD_BASE": sandbox.meta.rupload,
            "META_TIMEOUT": 120.0,
        }
        from studio import create_app
        from studio.cli import upgrade_database

        self.config.update(self.extra_config())
        self.app = create_app(dict(self.config))
        upgrade_database(self.app)
        self.account_id = self._connect()
        self.video_id = self._video()

    def extra_config(self) -> dict[str, Any]:
        """The platform's own keys (TikTok's are above)."""
        return {}

    def _connect(self) -> int:
        """Authorize at the sandbox and store the account through the tiktok room's service."""
        import requests

        from studio import db
        from studio.platforms.tiktok import services as tiktok
        from studio.platforms.tiktok.results import TokenSet

        with requests.Session() as http:
            http.trust_env = False
            approved = http.post(
                self.sandbox_url + "/_sandbox/authorize",
                json={
                    "client_key": "sandbox-client-key",
                    "redirect_uri": SANDBOX_REDIRECT,
                    "scope": "user.info.basic,video.upload",
                    "state": "bench",
                    "creator": "acme",
                },
                timeout=10,
            ).json()
            code = parse_qs(urlsplit(approved["redirect_url"]).query)["code"][0]
            body = http.post(
                self.sandbox_url + "/v2/oauth/token/",
                data={
                    "client_key": "sandbox-client-key",
                    "client_secret": "sandbox-client-secret",
                    "grant_type": "authorization_code",
                    "code": code,
                    "redirect_uri": SANDBOX_REDIRECT,
                },
                timeout=10,
            ).json()
        with self.app.app_context():
            return tiktok.connect_account(db.session, TokenSet.from_body(body), None).id

    def _video(self) -> int:
        """A Video row whose file is a link to the measured file."""
        from studio.videos import digest
        from studio.videos.storage import uploads_dir
        from tests.workers import stored_video

        with self.app.app_context():
            name = f"{uuid.uuid4().hex}.mp4"
            os.symlink(self.path.resolve(), uploads_dir() / name)
            video = stored_video(name, self.path.name)
            # What the sandbox reports for the bytes it received.
            self.sha256 = digest.hex_of(digest.of_file(self.path, digest.LEGACY))
            return video.id

    finished = "in_inbox"  # where a successful send ends

    def new_delivery(self) -> int:
        """A new consented post of the video; its delivery's id (an app context is active)."""
        from studio import db
        from studio.platforms.models import Mode
        from studio.posts.services import Draft, create_post

        draft = Draft(self.video_id, self.account_id, Mode.DRAFT, consent=True)
        post, _ = create_post(db.session, _BenchUser(), draft, uuid.uuid4().hex)
        return post.deliveries[0].id

    def send_once(self, worker: subprocess.Popen) -> float:
        """Seconds the job took to upload one new post of the video (init to last chunk)."""
        from studio import db
        from studio.platforms.models import Delivery
        from studio.posts import tasks

        with self.app.app_context():
            delivery_id = self.new_delivery()
            tasks.send_delivery(delivery_id)
            deadline = time.monotonic() + 1800
            while time.monotonic() < deadline:
                db.session.expire_all()
                row = db.session.get(Delivery, delivery_id)
                db.session.commit()
                if row.is_terminal:
                    break
                if worker.poll() is not None:
                    raise RuntimeError(f"worker exited; see {self.tmp / 'worker.log'}")
                time.sleep(0.1)
            if row.status != self.finished:
                raise RuntimeError(f"post ended {row.status}: {row.fail_message}")
            return (row.uploaded_at - row.sent_at).total_seconds()

    def start_worker(self) -> subprocess.Popen:
        """The app's `flask worker` in its own process, idle once this returns."""
        env = {**os.environ, "SEND_STAGE_CONFIG": json.dumps(self.config)}
        with open(self.tmp / "worker.log", "wb") as log:
            worker = subprocess.Popen(
                [sys.executable, __file__, "--worker"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        while "Huey consumer started" not in (self.tmp / "worker.log").read_text(errors="replace"):
            if worker.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"worker did not start; see {self.tmp / 'worker.log'}")
            time.sleep(0.1)
        time.sleep(1.0)  # let the start-up periodic tasks run, so "idle" is really idle
        return worker

    @staticmethod
    def completed(sandbox: Any, size: int) -> list[dict[str, Any]]:
        """Every upload of `size` bytes the sandbox finished (with its sha256)."""
        return [u for u in sandbox.state.summary()["completed_uploads"] if u["bytes"] == size]

    def cut_chunks(self) -> list[tuple[Path, str]]:
        """The job's chunk plan as files for curl (cut once, before anything is timed)."""
        from studio.platforms.tiktok.chunks import plan_chunks

        plan = plan_chunks(self.path.stat().st_size)
        self.source_info = {
            "source": "FILE_UPLOAD",
            "video_size": plan.video_size,
            "chunk_size": plan.chunk_size,
            "total_chunk_count": plan.total_chunk_count,
        }
        parts = []
        with open(self.path, "rb") as src:
            for index, first, last in plan.ranges():
                part = self.tmp / f"chunk{index}"
                with open(part, "wb") as out:
                    src.seek(first)
                    _copy(src, out, last - first + 1)
                parts.append((part, plan.content_range(index)))
        return parts

    def curl_once(self, parts: list[tuple[Path, str]]) -> float:
        """Seconds for `curl -T` of the same chunks to a fresh upload_url (separate init)."""
        from studio import db
        from studio.platforms.tiktok import services as tiktok

        with self.app.app_context():
            client = tiktok.get_client()
            init = tiktok.call_with_token(
                db.session, self.account_id, lambda t: client.init_inbox_video(t, self.source_info)
            )
        url = urlsplit(init.upload_url)
        started = time.perf_counter()
        for part, content_range in parts:
            # curl -T appends the file name to a URL whose path ends in "/" (upload_url does),
            # so the real path and query go in --request-target instead.
            command = ["curl", "-sS", "-f", "-o", "/dev/null", "-T", str(part), "-X", "PUT"]
            command += ["-H", "Content-Type: video/mp4", "-H", f"Content-Range: {content_range}"]
            command += ["-H", "Expect:", "--request-target", f"{url.path}?{url.query}"]
            subprocess.run([*command, f"{url.scheme}://{url.netloc}/chunk"], check=True)
        return time.perf_counter() - started


class MetaBench:
    """The Instagram Reels rupload path on the same instance, worker and sandbox."""

    def __init__(self, bench: Bench, sandbox: Any) -> None:
        from tests.platforms.meta.sending.support import seed_accounts

        self.bench, self.sandbox = bench, sandbox
        self.account_id = seed_accounts(bench.app, sandbox)["instagram"]

    def measure(self, worker: subprocess.Popen, repeat: int, idle: int) -> list[Result]:
        """Best of `repeat` job runs and curl runs, interleaved; the worker's RSS growth."""
        from studio.platforms.meta.rules import INSTAGRAM

        size = self.bench.path.stat().st_size
        label = f"rupload {size / MIB:.0f} MiB"
        if size > (INSTAGRAM.max_bytes or size):
            return [(label, "Instagram Reel", "skipped: over Instagram's 300 MB", "", "", "")]
        job_runs, curl_runs = [], []
        for _ in range(repeat):
            job_runs.append(self.send_once(worker))
            curl_runs.append(self.curl_once())
        peak = _rss(worker.pid, "VmHWM")
        state = self.sandbox.meta.state
        with state.lock:
            hashes = {r["sha256"] for r in state.ig_published if r["bytes"] == size}
            published = sum(r["bytes"] == size for r in state.ig_published)
        intact = published == repeat and hashes == {self.bench.sha256}
        job, base = size / min(job_runs) / 1e6, size / min(curl_runs) / 1e6
        return [
            (label, f"job rupload, best of {repeat} (MB/s)", f"{job:.0f}", f"{base:.0f}",
             f"{job / base:.2f}", f"≥ {TARGET_RATIO}"),
            (label, "job rupload, all runs (MB/s)", _runs(size, job_runs),
             _runs(size, curl_runs), "", ""),
            (label, "worker RSS growth after both (MB)", f"{(peak - idle) / 1e6:.1f}", "", "",
             f"≤ {TARGET_RSS_MB}"),
            (label, "every Reel published once and intact", "yes" if intact else "NO", "", "",
             "yes"),
        ]  # fmt: skip

    def send_once(self, worker: subprocess.Popen) -> float:
        """Seconds the job took from the container to the last byte at Meta."""
        from studio import db
        from studio.platforms.models import Delivery
        from studio.posts import tasks
        from studio.videos.models import Video
        from tests.platforms.meta.sending.support import make_post

        app = self.bench.app
        with app.app_context():
            video = db.session.get(Video, self.bench.video_id)
            db.session.commit()
        post_id = make_post(app, video, self.account_id, "instagram")
        with app.app_context():
            delivery_id = db.session.scalar(select(Delivery.id).where(Delivery.post_id == post_id))
            tasks.send_delivery(delivery_id)
            row = _wait_terminal(delivery_id, worker, self.bench.tmp)
            if row.status != "published":
                raise RuntimeError(f"Reel ended {row.status}: {row.fail_message}")
            return (row.uploaded_at - row.sent_at).total_seconds()

    def curl_once(self) -> float:
        """Seconds for curl to POST the file to a fresh container's rupload URI."""
        from bench.meta_upload import curl_once
        from studio import db
        from studio.platforms.meta.connection import get_client
        from studio.platforms.meta.tokens import token_for
        from studio.platforms.models import Account

        with self.bench.app.app_context(), get_client() as client:
            account = db.session.get(Account, self.account_id)
            token = token_for(db.session, account)
            container = client.create_reel_container(token, account.remote_id, "", False, False)
            db.session.commit()
        return curl_once(container.upload_uri or "", token, self.bench.path)


def _wait_terminal(delivery_id: int, worker: subprocess.Popen, tmp: Path) -> Any:
    """The delivery once terminal (the worker must stay alive meanwhile)."""
    from studio import db
    from studio.platforms.models import Delivery

    deadline = time.monotonic() + 1800
    while time.monotonic() < deadline:
        db.session.expire_all()
        row = db.session.get(Delivery, delivery_id)
        db.session.commit()
        if row.is_terminal:
            return row
        if worker.poll() is not None:
            raise RuntimeError(f"worker exited; see {tmp / 'worker.log'}")
        time.sleep(0.1)
    raise RuntimeError(f"delivery {delivery_id} did not finish")


class _BenchUser:
    """The post's creator (no staff account in this instance)."""

    id = None
    email = "bench@example.com"
    is_admin = True


def _copy(src: Any, out: Any, length: int) -> None:
    while length > 0:
        block = src.read(min(8 * MIB, length))
        out.write(block)
        length -= len(block)


def _rss(pid: int, field: str) -> int:
    """VmRSS or VmHWM of a process, in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no {field} for {pid}")


def _worker() -> None:
    """The measured process: the app's real `flask worker` command."""
    from studio import create_app
    from studio.cli import worker_command

    app = create_app(json.loads(os.environ["SEND_STAGE_CONFIG"]))
    result = app.test_cli_runner().invoke(worker_command, ["--workers", "2"])
    if result.exception is not None:
        raise result.exception


def _random_file(folder: Path, size: int) -> Path:
    path = folder / f"random-{size // MIB}MiB.bin"
    with open(path, "wb") as out:
        left = size
        while left > 0:
            block = os.urandom(min(8 * MIB, left))
            out.write(block)
            left -= len(block)
    return path


def main(argv: list[str]) -> None:
    if argv[:1] == ["--worker"]:
        _worker()
        return
    if not all(a.isdigit() for a in argv):
        sys.exit(__doc__)  # --help, or a size that is not a whole number of MiB
    sizes = [int(a) for a in argv] or [256, 1024]
    rows: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="send-files-") as folder:
        for mib in sizes:
            path = _random_file(Path(folder), mib * MIB)
            for platform in ("tiktok", "youtube"):
                rows += measure(path, platform=platform)
            path.unlink()
    header = ("stage", "figure", "value", "baseline", "ratio", "target")
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(6)]
    for row in [header, *rows]:
        print("  ".join(str(v).ljust(w) for v, w in zip(row, widths, strict=True)))


if __name__ == "__main__":
    main(sys.argv[1:])
