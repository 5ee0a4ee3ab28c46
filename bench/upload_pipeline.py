"""Upload pipeline on loopback: browser → app (resumable PATCH upload) beside a raw stream copy.

What runs: the real app under gunicorn (one sync worker, as deployed) on 127.0.0.1, with one
extra route added only here, ``POST /_bench/raw``, which copies ``request.stream`` into a file
in 1 MiB blocks: the baseline (``?f=1`` fsyncs at the end, ``?h=blake3`` or ``?h=sha256`` also
hashes every block). A client on the same machine then

1. sends the file to the baseline in one request (best of --repeat runs);
2. uploads it the way ``static/js/videos-upload.js`` does: ``POST /videos/uploads``, then
   ``PATCH`` parts at the server's offset (8 MiB first, then each sized to take about 2 s at
   the last part's rate, up to 15/16 of production's 64 MiB request cap), each streamed from
   the file as it is sent (as a browser sends a slice of a File: the baseline's client streams
   the same way), the last one finishing the upload (validation, content hash, poster, move
   into the library, ``Video`` row), best of --repeat.
3. (bench/upload_concurrent.py) --concurrent uploads at once through as many workers, beside
   as many raw copies at once.

The alternatives rows rerun step 2 with one setting changed: fixed 8 MiB parts (the per-request
cost), no fsync per part (the durability cost), and one PATCH for the whole file (what tus
recommends where no proxy or request cap forces parts).

Figures: throughput of each, the ratio upload / baseline (target ≥ 0.8), the web worker's
peak RSS during each stage (VmHWM, reset between stages through /proc/<pid>/clear_refs) and
its growth over the idle worker (target ≤ 64 MB: the idle worker alone is already ~130 MB of
Flask, SQLAlchemy, huey and FFmpeg libraries, so the growth is what says "never holds the file
in memory"), the worker's CPU seconds for the file (the least of each kind: on a shared
machine less noisy than wall time, and what splits a gap into the worker's own work and waiting
on the disk), and a check that no second full-size copy is ever written (the finished file has
the part file's inode: os.replace on one filesystem, not a copy).

The file: a 1 GiB random file is no video and would be rejected at the end, which would skip
the finishing work. So a real 3 s H.264 sample is padded to the requested size with an MP4
``free`` box of random bytes: a valid MP4 that passes the same validation, and whose bytes
must all travel, be written, fsynced and hashed like any other. Validation reads only box
headers and the first frame, so its cost is that of a real video of the same size; the
finishing steps are also timed one by one in-process on the stored file.

The content hash (BLAKE3; SHA-256 before) is computed as the parts arrive (the running hash
stays in the worker between parts); the table also shows what hashing the whole file again at
the end would cost, which is what happens when a part lands in another worker process.

A later stage "app → TikTok" lives in bench/send_stage.py: if it defines
``stage_send(ctx: Context) -> list[Row]`` it is run after the upload with the stored video.

Run: .venv/bin/python bench/upload_pipeline.py [--size-mib 1024] [--repeat 3] [--no-compare]
     [--concurrent 4]
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MIB = 1024 * 1024
EMAIL = "bench@example.com"


@dataclass
class Row:
    """One line of the results table."""

    stage: str
    figure: str
    value: str
    baseline: str = ""
    ratio: str = ""
    target: str = ""


@dataclass
class Context:
    """What a later stage gets: the running app, its instance folder and the stored video."""

    base_url: str
    instance: Path
    env: dict[str, str]
    video_id: int
    video_path: Path
    size_bytes: int
    worker_pid: int
    cookie: str
    extra: dict[str, object] = field(default_factory=dict)


def bench_app():
    """The gunicorn target: the real app plus the baseline route.

    The baseline is plain WSGI in front of the app (and of its body caps, which would refuse a
    one-request copy over ``MAX_CONTENT_LENGTH``): it copies ``wsgi.input`` into a file.
    """
    import json
    from urllib.parse import parse_qs

    from blake3 import blake3

    from studio import create_app

    app = create_app()
    inner = app.wsgi_app
    hashers = {"sha256": hashlib.sha256, "blake3": blake3}

    def raw_copy(environ, start_response):
        if environ.get("PATH_INFO") != "/_bench/raw" or environ["REQUEST_METHOD"] != "POST":
            return inner(environ, start_response)
        args = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        dest = Path(app.instance_path) / "uploads" / ".partial" / f"raw-{secrets.token_hex(4)}"
        dest.parent.mkdir(parents=True, exist_ok=True)
        hasher = hashers[args["h"]]() if args.get("h") else None
        stream, left = environ["wsgi.input"], int(environ.get("CONTENT_LENGTH") or 0)
        with open(dest, "wb") as out:
            while left > 0 and (block := stream.read(min(MIB, left))):
                left -= len(block)
                out.write(block)
                if hasher is not None:
                    hasher.update(block)
            if args.get("f"):
                out.flush()
                os.fsync(out.fileno())
        body = json.dumps({"bytes": dest.stat().st_size}).encode()
        dest.unlink()
        start_response("200 OK", [("Content-Type", "application/json")])
        return [body]

    app.wsgi_app = raw_copy
    return app


# ---------------------------------------------------------------- setup


def make_env(instance: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        STUDIO_ENV="development",
        STUDIO_INSTANCE_PATH=str(instance),
        STUDIO_SECRET_KEY=secrets.token_urlsafe(32),
        STUDIO_HUEY_IMMEDIATE="true",
        STUDIO_SQLITE_SYNCHRONOUS="FULL",
        STUDIO_LOGIN_RATE_LIMIT_IP="1000 per minute",
        PYTHONPATH=str(ROOT),
    )
    return env


def prepare_instance(env: dict[str, str]) -> str:
    """Migrate a fresh database and create the bench user; returns its password."""
    password = "bench " + secrets.token_urlsafe(16)
    code = (
        "import sys\n"
        "from studio import create_app, db\n"
        "from studio.cli import upgrade_database\n"
        "from studio.auth import services\n"
        "from studio.auth.models import Role\n"
        "app = create_app()\n"
        "upgrade_database(app)\n"
        "with app.app_context():\n"
        f"    services.create_user(db.session, {EMAIL!r}, sys.stdin.read(), Role.ADMIN)\n"
    )
    subprocess.run(
        [sys.executable, "-c", code], input=password, text=True, env=env, cwd=ROOT, check=True
    )
    return password


def make_padded_video(path: Path, size: int) -> None:
    """A valid MP4 of exactly `size` bytes: a real 3 s sample plus a `free` box of random bytes."""
    from studio.videos import samples

    samples.make_video(path, pattern="flat")
    pad = size - path.stat().st_size
    if pad < 16:
        raise SystemExit("size too small for the sample")
    block = os.urandom(MIB)
    with open(path, "ab") as out:
        if pad < 2**32:
            out.write(pad.to_bytes(4, "big") + b"free")
            left = pad - 8
        else:
            out.write((1).to_bytes(4, "big") + b"free" + pad.to_bytes(8, "big"))
            left = pad - 16
        while left > 0:
            n = min(left, MIB)
            out.write(block[:n])
            left -= n


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def gunicorn(env: dict[str, str], port: int, workers: int = 1) -> Iterator[tuple[int, int]]:
    """Run the bench app; yields (master pid, first worker's pid)."""
    cmd = [
        str(Path(sys.executable).with_name("gunicorn")),
        f"--workers={workers}",
        "--worker-class=sync",
        "--timeout=900",
        f"--bind=127.0.0.1:{port}",
        "--log-level=warning",
        "bench.upload_pipeline:bench_app()",
    ]
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT)
    try:
        worker = wait_ready(proc, port)
        yield proc.pid, worker
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


def wait_ready(proc: subprocess.Popen, port: int) -> int:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("gunicorn exited")
        with contextlib.suppress(OSError):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
                return int(children[0])
        time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


# ---------------------------------------------------------------- memory


def hwm_mb(pid: int) -> float:
    """Peak resident set size of a process (VmHWM), in MB."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+)", status).group(1)) / 1000


def reset_hwm(pid: int) -> bool:
    """Reset VmHWM to the current RSS (Linux clear_refs 5); False when not permitted."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def cpu_s(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far: less noisy than wall time on a
    shared machine, and what says where a gap goes (work in the worker, or waiting on the disk)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1000


# ---------------------------------------------------------------- HTTP client


class Client:
    """A keep-alive HTTP/1.1 client with a cookie, sending large bodies without copies."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=900, blocksize=MIB)
        self.cookies: dict[str, str] = {}

    @property
    def cookie(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def call(
        self, method: str, url: str, body: bytes | None = None, headers: dict | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        headers = {"Cookie": self.cookie, **(headers or {})}
        try:
            self.conn.request(method, url, body=body, headers=headers)
        except BrokenPipeError:
            pass  # the server answered before reading the whole body: read its answer
        response = self.conn.getresponse()
        data = response.read()
        for value in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = value.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return response.status, dict(response.headers), data

    def stream_file(self, url: str, path: Path) -> tuple[int, bytes]:
        """POST a whole file as the body, read from disk in 1 MiB blocks."""
        with open(path, "rb") as f:
            status, _, body = self.stream(
                "POST", url, f, path.stat().st_size, {"Content-Type": "application/octet-stream"}
            )
        return status, body

    def stream(
        self, method: str, url: str, source: BinaryIO, length: int, headers: dict[str, str]
    ) -> tuple[int, dict[str, str], bytes]:
        """Send the next `length` bytes of `source` as the body, read in 1 MiB blocks as they go
        (as a browser sends a File or a slice of one), and return the answer."""
        self.conn.putrequest(method, url)
        headers = {**headers, "Content-Length": str(length), "Cookie": self.cookie}
        for name, value in headers.items():
            self.conn.putheader(name, value)
        self.conn.endheaders()
        left = length
        while left and (block := source.read(min(MIB, left))):
            left -= len(block)
            try:
                self.conn.send(block)
            except BrokenPipeError:
                break  # the server answered before reading the whole body: read its answer
        response = self.conn.getresponse()
        return response.status, dict(response.headers), response.read()

    def login(self, password: str) -> None:
        status, _, page = self.call("GET", "/auth/login")
        token = csrf_from(page)
        form = f"email={EMAIL}&password={password}&csrf_token={token}".replace(" ", "+")
        status, _, _ = self.call(
            "POST",
            "/auth/login",
            form.encode(),
            {"Content-Type": "application/x-www-form-urlencoded"},
        )
        if status != 302:
            raise SystemExit(f"login failed: {status}")


def csrf_from(page: bytes) -> str:
    match = re.search(rb'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page)
    match = match or re.search(rb'data-csrf="([^"]+)"', page)
    if not match:
        raise SystemExit("no CSRF token on the page")
    return match.group(1).decode()


# ---------------------------------------------------------------- stages


@dataclass
class Run:
    seconds: float
    peak_mb: float
    result: dict = field(default_factory=dict)
    cpu: float = 0.0  # the worker's CPU seconds


def measured(pid: int, fn: Callable[[], dict]) -> Run:
    reset_hwm(pid)
    start, cpu = time.perf_counter(), cpu_s(pid)
    result = fn()
    return Run(time.perf_counter() - start, hwm_mb(pid), result, cpu_s(pid) - cpu)


def baseline(client: Client, path: Path, url: str = "/_bench/raw") -> dict:
    status, body = client.stream_file(url, path)
    if status != 200 or json.loads(body)["bytes"] != path.stat().st_size:
        raise SystemExit(f"baseline failed: {status} {body[:200]!r}")
    return {}


PART_S = 2.0  # as static/js/videos-upload.js: each next part takes about this long


def next_part(first: int, largest: int, sent: int, seconds: float) -> int:
    """The page script's part size after a part of `sent` bytes took `seconds`."""
    return min(largest, max(first, round(sent / max(seconds, 0.001) * PART_S)))


def upload(client: Client, path: Path, part: int | None, token: str, partial: Path | None) -> dict:
    """The browser's protocol: create, then PATCH parts at the server's offset.

    Part sizes follow the page's script (start at the announced size, then each sized to take
    PART_S at the last part's rate, up to the announced maximum) unless `part` fixes them. Each
    part streams from the file as it is sent, as a browser sends a slice of a File.
    """
    size = path.stat().st_size
    name = json.dumps({"length": size, "name": path.name}).encode()
    json_headers = {"Content-Type": "application/json", "X-CSRFToken": token}
    status, _, body = client.call("POST", "/videos/uploads", name, json_headers)
    if status != 201:
        raise SystemExit(f"create failed: {status} {body[:300]!r}")
    created = json.loads(body)
    url, offset, inode, sizes = created["url"], 0, None, []
    first, largest = part or created["part_bytes"], part or created["max_part_bytes"]
    step = first
    headers = {"Content-Type": "application/offset+octet-stream", "X-CSRFToken": token}
    with open(path, "rb") as f:
        while True:
            length = min(step, size - offset)
            sizes.append(length)
            if offset + length >= size and partial is not None:
                inode = next(partial.iterdir()).stat().st_ino
            started = time.perf_counter()
            f.seek(offset)
            status, reply, body = client.stream(
                "PATCH", url, f, length, {**headers, "Upload-Offset": str(offset)}
            )
            if status != 204:
                break
            sent, offset = int(reply["Upload-Offset"]) - offset, int(reply["Upload-Offset"])
            step = next_part(first, largest, sent, time.perf_counter() - started)
    if status != 200:
        raise SystemExit(f"upload failed: {status} {body[:500]!r}")
    return {**json.loads(body), "part_inode": inode, "parts": sizes}


def delete_video(client: Client, video_id: int) -> None:
    status, _, page = client.call("GET", f"/videos/{video_id}")
    token = csrf_from(page)
    client.call(
        "POST",
        f"/videos/{video_id}/delete",
        f"csrf_token={token}".encode(),
        {"Content-Type": "application/x-www-form-urlencoded"},
    )


def finishing_steps(env: dict[str, str], video_id: int) -> dict[str, float]:
    """Time validate, a full re-hash, and the poster on the stored file, in a fresh process."""
    code = (
        "import json, time\n"
        "from studio import create_app, db\n"
        "from studio.videos import digest, media, services, storage, suitability\n"
        "app = create_app()\n"
        "with app.app_context():\n"
        f"    video = services.get_video(db.session, {video_id})\n"
        "    path = storage.video_path(video)\n"
        "    out = {}\n"
        "    t = time.perf_counter(); media.validate(path, suitability.refusals)\n"
        "    out['validate'] = time.perf_counter() - t\n"
        "    t = time.perf_counter(); digest.of_file(path)\n"
        "    out['rehash'] = time.perf_counter() - t\n"
        "    t = time.perf_counter(); media.make_poster(path, path.with_suffix('.bench.jpg'))\n"
        "    out['poster'] = time.perf_counter() - t\n"
        "    path.with_suffix('.bench.jpg').unlink()\n"
        "    print(json.dumps(out))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def load_concurrent_stage() -> Callable[..., list[Row]] | None:
    try:
        from bench.upload_concurrent import stage_concurrent
    except ImportError:
        return None
    return stage_concurrent


def load_send_stage() -> Callable[[Context], list[Row]] | None:
    try:
        from bench.send_stage import stage_send
    except ImportError:
        return None
    return stage_send


# ---------------------------------------------------------------- main


def mbps(size: int, seconds: float) -> float:
    return size / seconds / 1e6


def print_table(rows: list[Row]) -> None:
    headers = ("stage", "figure", "value", "baseline", "ratio", "target")
    cells = [headers] + [(r.stage, r.figure, r.value, r.baseline, r.ratio, r.target) for r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(len(headers))]
    line = "  ".join("-" * w for w in widths)
    print(line)
    for index, cell in enumerate(cells):
        print("  ".join(text.ljust(widths[i]) for i, text in enumerate(cell)))
        if index == 0:
            print(line)
    print(line)


PRODUCTION_CAP = 64 * MIB  # MAX_CONTENT_LENGTH in production (studio/config.py)
BASELINES = (  # name, query of /_bench/raw, what it does, target of upload / it
    ("raw", "", "raw stream copy", "≥ 0.8"),
    ("raw+fsync", "?f=1", "raw copy + fsync", "same durability"),
    ("same work", "?f=1&h=blake3", "raw copy + BLAKE3 + fsync", "same work"),
    ("sha256", "?f=1&h=sha256", "raw copy + SHA-256 + fsync", "the work before BLAKE3"),
)
ALTERNATIVES = (
    ("alt: fixed 8 MiB parts", {}, 8 * MIB),
    ("alt: no fsync per part", {"STUDIO_UPLOAD_FSYNC": "false"}, None),
    ("alt: one PATCH, no request cap", {"STUDIO_MAX_CONTENT_LENGTH": "null"}, 0),
)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure; best is shown")
    parser.add_argument("--no-compare", action="store_true", help="skip the alternative settings")
    parser.add_argument("--dir", default=None, help="work folder (default: a temporary one)")
    parser.add_argument(
        "--concurrent", type=int, default=4, help="uploads at once in their own stage (0: skip)"
    )
    args = parser.parse_args()
    size = args.size_mib * MIB

    work = Path(tempfile.mkdtemp(prefix="studio-bench-", dir=args.dir))
    env = {**make_env(work / "instance"), "STUDIO_MAX_CONTENT_LENGTH": str(PRODUCTION_CAP)}
    try:
        password = prepare_instance(env)
        video = work / "bench.mp4"
        make_padded_video(video, size)
        port = free_port()
        with gunicorn(env, port) as (_master, worker):
            bench = Bench(env, port, worker, password, video, args.repeat)
            rows = bench.shipped()
            shipped_parts = bench.parts
        stage_concurrent = load_concurrent_stage()
        if stage_concurrent is not None and args.concurrent:
            rows += stage_concurrent(env, password, video, args.concurrent, args.repeat)
        for label, changes, part in () if args.no_compare else ALTERNATIVES:
            alt_env = {**env, **changes}
            with gunicorn(alt_env, port) as (_master, worker):
                bench = Bench(alt_env, port, worker, password, video, args.repeat)
                rows += bench.alternative(label, part)
        print(
            f"\nFile: {args.size_mib} MiB valid MP4 (3 s sample + free box); gunicorn, one sync "
            f"worker, loopback; best of {args.repeat}. Shipped settings: production's 64 MiB "
            f"request cap, parts as the page sends them ({describe_parts(shipped_parts)}), "
            "each part fsynced before its offset is committed."
        )
        print_table(rows)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def describe_parts(sizes: list[int]) -> str:
    shown = sorted({s // MIB for s in sizes[:-1]}) or [sizes[-1] // MIB]
    return f"{len(sizes)} PATCHes of {'/'.join(str(s) for s in shown)} MiB"


class Bench:
    """Measurements against one running server."""

    def __init__(
        self, env: dict[str, str], port: int, worker: int, password: str, video: Path, repeat: int
    ) -> None:
        self.env, self.port, self.worker, self.video, self.repeat = env, port, worker, video, repeat
        self.size = video.stat().st_size
        self.client = Client(port)
        self.client.login(password)
        _, _, page = self.client.call("GET", "/videos/upload")
        self.token = csrf_from(page)
        self.instance = Path(env["STUDIO_INSTANCE_PATH"])
        self.partial = self.instance / "uploads" / ".partial"
        self.idle = rss_mb(worker)
        self.base: dict[str, Run] = {}

    def rounds(self, part: int | None) -> tuple[Run, float]:
        """Baselines and uploads taken in turns (a shared machine drifts); the best of each.

        Returns the fastest upload and the highest worker peak seen in any upload.
        """
        base: dict[str, list[Run]] = {name: [] for name, *_ in BASELINES}
        ups: list[Run] = []
        for index in range(self.repeat):
            for name, query, *_ in BASELINES:
                url = "/_bench/raw" + query
                base[name].append(
                    measured(self.worker, lambda url=url: baseline(self.client, self.video, url))
                )
            ups.append(measured(self.worker, lambda: self.upload_once(part)))
            if index < self.repeat - 1:  # the last one stays for the checks below
                delete_video(self.client, ups[-1].result["video_id"])
        self.base = {name: min(runs, key=lambda r: r.seconds) for name, runs in base.items()}
        # CPU: the least of each (another process on the core does not add to it, much).
        self.cpu = {name: min(r.cpu for r in runs) for name, runs in base.items()}
        self.cpu["upload"] = min(u.cpu for u in ups)
        self.base_peak = max(r.peak_mb for runs in base.values() for r in runs)
        # Each round's upload against the same round's raw copies: the spread of the ratios.
        self.round_ratios = {
            name: [r.seconds / u.seconds for r, u in zip(base[name], ups, strict=True)]
            for name in ("raw", "raw+fsync")
        }
        return min(ups, key=lambda r: r.seconds), max(r.peak_mb for r in ups)

    def upload_once(self, part: int | None) -> dict:
        result = upload(self.client, self.video, part, self.token, self.partial)
        self.last, self.parts = result, result["parts"]
        return result

    def ratio_rows(self, label: str, run: Run) -> list[Row]:
        speed = mbps(self.size, run.seconds)
        rows = []
        for name, _query, what, target in BASELINES:
            base = mbps(self.size, self.base[name].seconds)
            rows.append(
                Row(label, "throughput (MB/s)", f"{speed:.0f}", f"{base:.0f} {what}",
                    f"{speed / base:.2f}", target)
            )  # fmt: skip
        return rows

    def shipped(self) -> list[Row]:
        run, peak = self.rounds(None)
        base_peak = self.base_peak
        stored = [p for p in (self.instance / "uploads").iterdir() if p.suffix == ".mp4"]
        same_inode = len(stored) == 1 and stored[0].stat().st_ino == self.last["part_inode"]
        steps = finishing_steps(self.env, self.last["video_id"])
        label = "browser→app"
        rows = self.ratio_rows(label, run) + [
            *(
                Row(
                    label,
                    f"ratio to {name}, each round",
                    "/".join(f"{r:.2f}" for r in ratios),
                    f"median {statistics.median(ratios):.2f}",
                )
                for name, ratios in self.round_ratios.items()
            ),
            Row(
                label,
                "time for the file (s)",
                f"{run.seconds:.2f}",
                f"{self.base['raw'].seconds:.2f} / {self.base['raw+fsync'].seconds:.2f}",
            ),
            Row(
                label,
                "worker CPU for the file (s), least",
                f"{self.cpu['upload']:.2f}",
                f"{self.cpu['raw']:.2f} raw / {self.cpu['raw+fsync']:.2f} +fsync / "
                f"{self.cpu['same work']:.2f} +BLAKE3",
                f"{self.cpu['raw'] / self.cpu['upload']:.2f}",
            ),
            Row(
                label,
                "worker peak RSS (MB)",
                f"{peak:.0f}",
                f"{base_peak:.0f} raw copy; {self.idle:.0f} idle",
            ),
            Row(
                label,
                "worker RSS growth (MB)",
                f"{peak - self.idle:.1f}",
                f"{base_peak - self.idle:.1f} raw copy",
                "",
                "≤ 64",
            ),
            Row(
                label, "second full-size copy on disk", "no" if same_inode else "YES", "", "", "no"
            ),
            Row("finish", "validate (PyAV probe) (s)", f"{steps['validate']:.3f}"),
            Row("finish", "poster frame (s)", f"{steps['poster']:.3f}"),
            Row(
                "finish",
                "BLAKE3 re-read if hash lost (s)",
                f"{steps['rehash']:.2f}",
                "0: hashed as parts arrive",
            ),
        ]
        stage_send = load_send_stage()
        if stage_send is not None:
            ctx = Context(
                base_url=f"http://127.0.0.1:{self.port}",
                instance=self.instance,
                env=self.env,
                video_id=self.last["video_id"],
                video_path=stored[0],
                size_bytes=self.size,
                worker_pid=self.worker,
                cookie=self.client.cookie,
            )
            rows += stage_send(ctx)
        return rows

    def alternative(self, label: str, part: int | None) -> list[Row]:
        """The same upload with other settings (not shipped), beside fresh baselines.

        `part`: None sends parts as the page does, 0 the whole file in one PATCH.
        """
        videos = [p for p in (self.instance / "uploads").iterdir() if p.suffix == ".mp4"]
        if videos:  # the previous server's upload would make this one a duplicate
            with contextlib.suppress(SystemExit):
                delete_video(self.client, self.last_id())
        run, _ = self.rounds(self.size if part == 0 else part)
        delete_video(self.client, self.last["video_id"])
        return self.ratio_rows(f"{label} ({describe_parts(self.parts)})", run)

    def last_id(self) -> int:
        _, _, page = self.client.call("GET", "/videos/")
        match = re.search(rb'href="/videos/(\d+)"', page)
        if not match:
            raise SystemExit("no video to delete")
        return int(match.group(1))


if __name__ == "__main__":
    main()
