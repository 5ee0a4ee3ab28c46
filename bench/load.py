"""Load: simulated staff and public users against the multi-process deployment, small vs big DB.

The deployment is ``tests/deploy/stack.py``: PostgreSQL, Redis, 2 gunicorn workers, 2 huey
consumers and the TikTok sandbox, as real processes on loopback. Two of them run side by side,
each on its own fresh database (and Redis): one as deployed (a few rows), one seeded with
``--posts`` posts and ``--audit`` audit entries (``bench/seed.py``: COPY, the audit chain
continued and still verifiable). Their users take turns in ``--slices`` alternating slices of
the ``--seconds`` each gets, so the machine's other load weighs on both alike.

Users are threads, each with its own cookie jar and client address, pausing 0–2×``--think``
seconds between actions (2 s on average, as people do; ``--think 0.5`` saturates two sync
workers on two CPUs, and p99 then measures the queue rather than the pages). 60 % are staff:
they browse the dashboard, videos, posts (and the older page), a post, the audit log (admins,
one in five, see everything) and send drafts (prepare → preview → send). 40 % are the public:
they read the privacy policy and file deletion requests. Rate limits are the production
defaults: a public address filing more than 5 requests a minute gets 429, counted
apart from errors. Only TikTok-side caps are lifted (5 pending drafts per account per day, in
the app and the sandbox) so staff can keep sending.

Reports requests/s, p50/p95/p99 per page kind for both runs and the big/small p99 ratio
(target ≤ 1.5), and server errors (target 0).

Run: .venv/bin/python bench/load.py [--users 50] [--seconds 60] [--posts 100000]
     [--audit 1000000] [--database-url postgresql+psycopg://...] [--redis-url redis://...]
     [--think 2] [--slices 6]   (--database-url defaults to STUDIO_TEST_DATABASE_URL; the
     databases are created on that server and dropped afterwards; without --redis-url each
     deployment gets a throwaway redis-server, with it they use distinct key prefixes)
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402

from bench.seed import seed  # noqa: E402
from tests.deploy.stack import BIN, PostgresDatabase, RedisServer, Stack  # noqa: E402
from tests.deploy.web import FlowError, Staff, Visitor, csrf_from  # noqa: E402

PASSWORD = "load test password for everybody"
LOAD_ENV = {
    "STUDIO_PROXY_FIX_X_FOR": "1",  # each simulated person has their own address
    "STUDIO_POSTS_PENDING_DRAFT_LIMIT": "1000000",
}
SANDBOX = {"status_step_delay": 0.2, "pending_share_limit": 1_000_000}
DRAIN = 1.0  # seconds between slices for the last requests to finish
_OLDER = re.compile(r'href="([^"]+)">Older')
_POST = re.compile(r'href="/posts/(\d+)"')


class Recorder:
    """Every request's page kind, outcome and duration, from all user threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.samples: dict[str, list[float]] = defaultdict(list)
        self.outcomes: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.examples: list[str] = []

    def timed(
        self, kind: str, call: Callable[[], requests.Response], ok: tuple[int, ...] = (200,)
    ) -> requests.Response | None:
        started = time.perf_counter()
        try:
            response = call()
        except (requests.RequestException, FlowError) as exc:
            self._count(kind, "failed", f"{kind}: {exc}")
            return None
        elapsed = time.perf_counter() - started
        with self.lock:
            self.samples[kind].append(elapsed)
        code = response.status_code
        outcome = "ok" if code in ok else "429" if code == 429 else "5xx" if code >= 500 else "4xx"
        self._count(kind, outcome, f"{kind}: {code} {response.url}")
        return response if outcome == "ok" else None

    def _count(self, kind: str, outcome: str, example: str) -> None:
        with self.lock:
            self.outcomes[kind][outcome] += 1
            if outcome in ("5xx", "4xx", "failed") and len(self.examples) < 20:
                self.examples.append(example)


def pause(rng: random.Random, think: float) -> None:
    time.sleep(rng.uniform(0, 2 * think))


def staff_user(ctx: dict[str, Any], n: int, rng: random.Random) -> None:
    """Browse the dashboard pages and send drafts until the run ends."""
    rec: Recorder = ctx["rec"]
    email = f"{'admin' if n % 5 == 0 else 'staff'}{n}@load.example.com"
    me = Staff(ctx["url"], {"X-Forwarded-For": f"10.1.{n // 250}.{n % 250 + 1}"})
    if not ctx["turn"].wait():
        return
    if rec.timed("sign in", lambda: me.login(email, PASSWORD), ok=(302,)) is None:
        return
    pages = ["/dashboard/", "/videos/", "/posts/", "/audit/"]
    while ctx["turn"].wait():
        action = rng.choices(["page", "older", "post", "send"], [8, 2, 2, 1])[0]
        if action == "page":
            path = rng.choice(pages)
            rec.timed(path.strip("/"), lambda path=path: me.get(path))
        elif action == "older":
            path = rng.choice(["/posts/", "/audit/"])
            first = rec.timed(path.strip("/"), lambda path=path: me.get(path))
            link = _OLDER.search(first.text) if first is not None else None
            if link:
                older = link.group(1).replace("&amp;", "&")
                rec.timed(f"{path.strip('/')} (older)", lambda older=older: me.get(older))
        elif action == "post":
            listing = rec.timed("posts", lambda: me.get("/posts/"))
            ids = _POST.findall(listing.text) if listing is not None else []
            if ids:
                post = rng.choice(ids)
                rec.timed("post", lambda post=post: me.get(f"/posts/{post}"))
        else:
            send_draft(rec, me, ctx["video_id"], ctx["account_id"])
        pause(rng, ctx["think"])


def send_draft(rec: Recorder, me: Staff, video_id: int, account_id: int) -> None:
    """Prepare → preview → send, each timed as its own kind."""
    page = rec.timed("prepare", lambda: me.get(f"/posts/new?video_id={video_id}"))
    if page is None:
        return
    fields = {
        "video_id": video_id,
        "account_id": account_id,
        "mode": "draft",
        "caption": "Kettle",
        "hashtags": "kitchen",
    }
    token = csrf_from(page.text)
    preview = rec.timed(
        "preview", lambda: me.post("/posts/new", data={"csrf_token": token, **fields})
    )
    if preview is None:
        return
    nonce = re.search(r'name="nonce" type="hidden" value="([^"]+)"', preview.text)
    data = {
        "csrf_token": csrf_from(preview.text),
        "nonce": nonce.group(1) if nonce else "",
        "consent": "y",
        **fields,
    }
    rec.timed("send", lambda: me.post("/posts/send", data=data, allow_redirects=False), ok=(302,))


def public_user(ctx: dict[str, Any], n: int, rng: random.Random) -> None:
    """Read the policy and file deletion requests until the run ends."""
    rec: Recorder = ctx["rec"]
    me = Visitor(ctx["url"], {"X-Forwarded-For": f"10.2.{n // 250}.{n % 250 + 1}"})
    filed = 0
    while ctx["turn"].wait():
        action = rng.choices(["policy", "form", "file"], [5, 1, 2])[0]
        if action == "policy":
            rec.timed("privacy", lambda: me.get("/privacy"))
        elif action == "form":
            rec.timed("data-deletion", lambda: me.get("/data-deletion"))
        else:
            form = rec.timed("data-deletion", lambda: me.get("/data-deletion"))
            if form is not None:
                filed += 1
                body = {
                    "csrf_token": csrf_from(form.text),
                    "kind": "email",
                    "email": f"person{n}.{filed}@example.org",
                }
                rec.timed(
                    "file request",
                    lambda body=body: me.post("/data-deletion", data=body, allow_redirects=False),
                    ok=(303,),
                )
        pause(rng, ctx["think"])


def create_staff(stack: Stack, users: int) -> None:
    """Every staff user at once, in one process (the CLI would start one per user)."""
    code = (
        "from studio import create_app, db\n"
        "from studio.auth import services\nfrom studio.auth.models import Role\n"
        "app = create_app()\n"
        "with app.app_context():\n"
        f"    for n in range({users}):\n"
        "        role = Role.ADMIN if n % 5 == 0 else Role.STAFF\n"
        "        name = ('admin' if n % 5 == 0 else 'staff') + f'{n}@load.example.com'\n"
        f"        services.create_user(db.session, name, {PASSWORD!r}, role)\n"
    )
    subprocess.run([str(BIN / "python"), "-c", code], cwd=ROOT, env=stack.env, check=True)


def prepare(stack: Stack, sample: Path) -> tuple[int, int, int]:
    """Connect the TikTok account and upload the video staff will send: (video, account, user)."""
    stack.sandbox("config", SANDBOX)
    admin = Staff(stack.url, {"X-Forwarded-For": "10.0.0.1"}).sign_in(
        "admin0@load.example.com", PASSWORD
    )
    connected = admin.connect_tiktok(stack.sandbox_url)
    if connected.status_code != 302:
        raise FlowError(f"connecting TikTok answered {connected.status_code}")
    video_id = int(admin.upload(sample)["video_id"])
    account = re.search(r'<h2 id="acct-(\d+)">', admin.get("/tiktok/").text)
    assert account is not None
    return video_id, int(account.group(1)), 1


class Turn:
    """Lets a deployment's users act during its time slices; between them they wait, idle."""

    def __init__(self) -> None:
        self.open, self.stop = threading.Event(), threading.Event()

    def wait(self) -> bool:
        """Block until the slice opens; False once the run is over."""
        while not self.open.wait(0.2):
            if self.stop.is_set():
                return False
        return not self.stop.is_set()


def start_users(
    stack: Stack, args: argparse.Namespace, video_id: int, account_id: int
) -> dict[str, Any]:
    """The users' threads, waiting for their deployment's first slice."""
    ctx: dict[str, Any] = {
        "url": stack.url,
        "rec": Recorder(),
        "turn": Turn(),
        "think": args.think,
        "video_id": video_id,
        "account_id": account_id,
        "seconds": 0.0,
    }
    staff_n = round(args.users * 0.6)
    ctx["threads"] = [
        threading.Thread(
            target=staff_user if n < staff_n else public_user,
            args=(ctx, n, random.Random(n)),
            daemon=True,
        )
        for n in range(args.users)
    ]
    for thread in ctx["threads"]:
        thread.start()
    return ctx


def interleave(runs: dict[str, dict[str, Any]], seconds: float, slices: int) -> None:
    """Alternate the deployments in ``slices`` turns each, so drift in the machine's other
    load falls on both alike; requests still in flight finish before the next turn opens."""
    for i in range(slices):
        for name in list(runs)[:: 1 if i % 2 == 0 else -1]:
            turn = runs[name]["turn"]
            started = time.perf_counter()
            turn.open.set()
            time.sleep(seconds / slices)
            turn.open.clear()
            runs[name]["seconds"] += time.perf_counter() - started
            time.sleep(DRAIN)
    for ctx in runs.values():
        ctx["turn"].stop.set()
        ctx["turn"].open.set()
    for ctx in runs.values():
        for thread in ctx["threads"]:
            thread.join(timeout=120)


SERVED = re.compile(r'"(GET|POST) (\S+) HTTP/1\.1" (\d{3}) \S+ (\d+)ms <\d+>$')
ROUTES = [  # (method, path pattern, page kind) for gunicorn's access log (paths only)
    ("GET", r"/dashboard/", "dashboard"),
    ("GET", r"/videos/", "videos"),
    ("GET", r"/posts/", "posts"),
    ("GET", r"/posts/\d+", "post"),
    ("GET", r"/audit/", "audit"),
    ("GET", r"/posts/new", "prepare"),
    ("POST", r"/posts/new", "preview"),
    ("POST", r"/posts/send", "send"),
    ("GET", r"/privacy", "privacy"),
    ("GET", r"/data-deletion", "data-deletion"),
    ("POST", r"/data-deletion", "file request"),
    ("POST", r"/auth/login", "sign in"),
]


def server_times(log: str) -> dict[str, list[float]]:
    """Seconds per page kind as gunicorn measured them (from the request's first byte to the
    last: no wait in the listen queue, no client); older pages count with their lists."""
    times: dict[str, list[float]] = defaultdict(list)
    for line in log.splitlines():
        match = SERVED.search(line)
        if not match:
            continue
        for method, pattern, kind in ROUTES:
            if match[1] == method and re.fullmatch(pattern, match[2]):
                times[kind].append(int(match[4]) / 1000)
    return times


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def stats(samples: dict[str, list[float]]) -> dict[str, dict[str, float]]:
    """Count and p50/p95/p99 (ms) per page kind."""
    return {
        kind: {
            "n": len(values),
            "p50_ms": percentile(values, 0.50) * 1000,
            "p95_ms": percentile(values, 0.95) * 1000,
            "p99_ms": percentile(values, 0.99) * 1000,
        }
        for kind, values in sorted(samples.items())
    }


def summarise(rec: Recorder, seconds: float) -> dict[str, Any]:
    kinds = {k: {**v, **rec.outcomes[k]} for k, v in stats(rec.samples).items()}
    total = sum(len(s) for s in rec.samples.values())
    count = lambda outcome: sum(o.get(outcome, 0) for o in rec.outcomes.values())  # noqa: E731
    return {
        "seconds": seconds,
        "requests": total,
        "rps": total / seconds,
        "server_errors": count("5xx"),
        "client_errors": count("4xx"),
        "failed": count("failed"),
        "rate_limited": count("429"),
        "kinds": kinds,
        "examples": rec.examples,
    }


def deploy(
    args: argparse.Namespace, big: bool, sample: Path, stack_of: ExitStack
) -> dict[str, Any]:
    """A fresh database (seeded if ``big``) and the running deployment; its users waiting."""
    workdir = Path(stack_of.enter_context(tempfile.TemporaryDirectory(prefix="studio-load-")))
    database = stack_of.enter_context(PostgresDatabase(args.database_url, prefix="studio_load"))
    name = "big" if big else "small"
    env = {**LOAD_ENV, "STUDIO_HUEY_NAME": f"load-{name}", "STUDIO_RATELIMIT_KEY_PREFIX": name}
    redis_url = args.redis_url or stack_of.enter_context(RedisServer(workdir / "redis")).url
    stack = Stack(
        workdir,
        database.url,
        redis_url,
        web_workers=args.web_workers,
        job_workers=args.job_workers,
        extra_env=env,
    ).init()
    create_staff(stack, round(args.users * 0.6) or 1)
    stack_of.enter_context(stack)
    video_id, account_id, user_id = prepare(stack, sample)
    seeded: dict[str, Any] = {}
    if big:
        started = time.perf_counter()
        seed(
            database.url, posts=args.posts, audit=args.audit, account_id=account_id, user_id=user_id
        )
        seeded["seed_s"] = time.perf_counter() - started
        print(
            f"  seeded {args.posts:,} posts and {args.audit:,} audit entries in "
            f"{seeded['seed_s']:.0f} s",
            flush=True,
        )
    return {**start_users(stack, args, video_id, account_id), "stack": stack, **seeded}


def measure(args: argparse.Namespace, sample: Path) -> dict[str, dict[str, Any]]:
    """Both deployments up at once, their users in alternating slices; the figures of each."""
    with ExitStack() as stack_of:
        runs = {name: deploy(args, name == "big", sample, stack_of) for name in ("small", "big")}
        print(f"load: {args.slices} alternating slices per database", flush=True)
        since = {name: len(ctx["stack"].log("web")) for name, ctx in runs.items()}
        interleave(runs, args.seconds, args.slices)
        results = {}
        for name, ctx in runs.items():
            result = summarise(ctx["rec"], ctx["seconds"])
            result["server"] = stats(server_times(ctx["stack"].log("web")[since[name] :]))
            result.update(dead=ctx["stack"].dead(), seed_s=ctx.get("seed_s"))
            result["verify"] = ctx["stack"].flask("audit", "verify", check=False).strip()
            results[name] = result
        return results


def table(small: dict[str, Any], big: dict[str, Any]) -> str:
    """Small | big, per page kind, with the big/small p99 ratio (target ≤ 1.5)."""
    head = f"{'page kind':<16}{'n':>6}{'p50':>8}{'p95':>8}{'p99':>8}"
    lines = [head + f" |{'n':>6}{'p50':>8}{'p95':>8}{'p99':>8}{'p99 ×':>8}"]
    for kind in sorted({*small, *big}):
        s = small.get(kind) or {"n": 0, "p50_ms": 0.0, "p95_ms": 0.0, "p99_ms": 0.0}
        line = f"{kind:<16}{s['n']:>6}{s['p50_ms']:>8.0f}{s['p95_ms']:>8.0f}{s['p99_ms']:>8.0f}"
        b = big.get(kind)
        if b:
            ratio = b["p99_ms"] / s["p99_ms"] if s["p99_ms"] else float("nan")
            line += f" |{b['n']:>6}{b['p50_ms']:>8.0f}{b['p95_ms']:>8.0f}{b['p99_ms']:>8.0f}"
            line += f"{ratio:>8.2f}"
        lines.append(line)
    return "\n".join(lines)


def totals(name: str, r: dict[str, Any]) -> str:
    return (
        f"{name}: {r['requests']} requests in {r['seconds']:.0f} s = {r['rps']:.1f}/s; "
        f"server errors {r['server_errors']}, other errors {r['client_errors']} "
        f"+ {r['failed']} failed, rate-limited (429) {r['rate_limited']}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--audit", type=int, default=1_000_000)
    parser.add_argument("--think", type=float, default=2.0, help="mean pause between actions")
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--job-workers", type=int, default=2)
    parser.add_argument("--database-url", default=os.environ.get("STUDIO_TEST_DATABASE_URL"))
    parser.add_argument("--redis-url", default=None)
    parser.add_argument("--slices", type=int, default=6, help="alternating turns per database")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args()
    if not args.database_url:
        parser.error("a PostgreSQL server is needed: --database-url or STUDIO_TEST_DATABASE_URL")
    from studio.videos import samples

    sample = samples.make_video(Path(tempfile.mkdtemp()) / "sample.mp4", pattern="flat")
    print(
        f"{args.users} users for {args.seconds:.0f} s, {args.web_workers} web workers, "
        f"{args.job_workers} consumers, think {args.think} s",
        flush=True,
    )
    results = measure(args, sample)
    small, big = results["small"], results["big"]
    print("as the users saw it (ms, small database | big database):")
    print(table(small["kinds"], big["kinds"]))
    print("inside gunicorn (ms, from its access log: no listen-queue wait, no client):")
    print(table(small["server"], big["server"]))
    for name, r in results.items():
        print(totals(name, r))
        for example in r["examples"][:5]:
            print(f"  e.g. {example}")
        if r.get("verify"):
            verdict = [line for line in r["verify"].splitlines() if "entries" in line]
            print(f"  audit verify after the {name} run: {(verdict or ['(no verdict)'])[0]}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
