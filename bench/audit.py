"""Audit log costs, measured against baselines in the same run.

1. Appending: N entries through ``record()`` (each its own transaction, as in production)
   against N plain single-row inserts of the same rows into a copy of the table, same database
   and sync mode. Target: ratio ≥ 0.5.
2. Page overhead: a small page that records one entry against the same page without it; once
   for a page that only reads (the entry is its one durable commit), once for a page that also
   changes a row (on SQLite the entry joins the page's own commit). The reading page is also
   timed with one plain durable commit (a one-row UPDATE) instead of the entry: the floor of
   any page that must leave a durable trace before it answers (one WAL fsync on SQLite with
   synchronous=FULL, one WAL flush on PostgreSQL), which the entry is compared with as well.
3. Verifying: M entries with ``verify()`` (which splits long chains across processes) against
   merely reading the same rows back in the same keyset batches in one process (target:
   ratio ≤ 2), and peak RSS at M/4 and M entries (each in a fresh process; the largest verify
   worker too): it must not grow with the log.

Run: .venv/bin/python bench/audit.py [--entries 100000] [--verify-entries 1000000]
     [--database-url postgresql+psycopg://...]   (default: a SQLite file, synchronous=FULL)
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cryptography.fernet import Fernet  # noqa: E402
from flask import Flask, render_template_string, request  # noqa: E402
from sqlalchemy import Table, insert, text  # noqa: E402

from studio import create_app  # noqa: E402
from studio.audit import Action, Actor, record, scope  # noqa: E402
from studio.audit import chain as chain_rules  # noqa: E402
from studio.audit.store import TABLE, Spec, build_row, encode_payload  # noqa: E402
from studio.cli import upgrade_database  # noqa: E402
from studio.db import utcnow  # noqa: E402

PAYLOAD = {
    "kind": "api",
    "request": {
        "url": "https://open.tiktokapis.com/v2/post/publish/status/fetch/",
        "headers": {"Authorization": "Bearer [redacted]", "Content-Type": "application/json"},
        "body": {"publish_id": "v_inbox_file~v2.1234567890123456789"},
        "body_size": 52,
    },
    "response": {
        "status": 200,
        "headers": {"Content-Type": "application/json", "X-Tt-Logid": "20261122031415ABCDEF"},
        "body": {
            "data": {"status": "PROCESSING_UPLOAD", "uploaded_bytes": 10485760},
            "error": {"code": "ok", "message": "", "log_id": "20261122031415ABCDEF"},
        },
    },
}
FIELDS = {
    "method": "POST",
    "endpoint": "/v2/post/publish/status/fetch/",
    "http_status": 200,
    "duration_ms": 41.7,
    "platform_code": "ok",
    "log_id": "20261122031415ABCDEF",
}


def make(url: str | None, folder: Path, sync: str = "FULL") -> Flask:
    """A migrated app on ``url`` (or a SQLite file in ``folder``)."""
    app = create_app(
        {
            "ENV": "testing",
            "INSTANCE_PATH": str(folder),
            "SECRET_KEY": "bench-" + "x" * 40,
            "VAULT_KEYS": Fernet.generate_key().decode(),
            "AUDIT_SEAL_KEY": "bench-seal-key",
            "DATABASE_URL": url or f"sqlite:///{folder / 'bench.db'}",
            "SQLITE_SYNCHRONOUS": sync,
            "HUEY_IMMEDIATE": True,
        }
    )
    upgrade_database(app)
    return app


def reset(app: Flask) -> None:
    with app.extensions["db"]["engine"].begin() as conn:
        conn.execute(text("DELETE FROM audit_entries"))


def plain_table(app: Flask) -> Table:
    """A copy of the audit table without indexes' names clashing: the baseline's target."""
    from sqlalchemy import MetaData

    meta = MetaData()
    copy = TABLE.to_metadata(meta, name="bench_plain")
    copy.primary_key.name = "pk_bench_plain"  # PostgreSQL: constraint names are per schema
    for index in list(copy.indexes):
        index.name = "bench_" + str(index.name)
    engine = app.extensions["db"]["engine"]
    copy.drop(engine, checkfirst=True)
    copy.create(engine)
    return copy


def sample_rows(n: int) -> list[dict[str, Any]]:
    """``n`` full rows, hashed like real entries (the baseline inserts exactly these)."""
    rows, prev = [], chain_rules.GENESIS
    spec = _spec()
    for seq in range(1, n + 1):
        row = build_row(seq, utcnow(), prev, spec)
        rows.append(row)
        prev = row["hash"]
    return rows


def _spec(n: int = 0) -> Spec:
    return Spec(
        kind=Action.TIKTOK_REQUEST.value,
        status="ok",
        actor_kind="job",
        actor_id="send",
        actor_label=None,
        account_id=1,
        post_id=n % 5000 + 1,
        job_id=None,
        summary="POST /v2/post/publish/status/fetch/ → 200",
        payload=encode_payload(PAYLOAD),
        **FIELDS,
    )


def bench_append(app: Flask, n: int, block: int = 200) -> dict[str, float]:
    """entries/s through record() against plain single-row insert transactions.

    The two run in alternating blocks so that background load hits both alike.
    """
    engine = app.extensions["db"]["engine"]
    table = plain_table(app)
    rows = sample_rows(n)
    spent = {"plain": 0.0, "audit": 0.0}
    with engine.connect() as conn, app.app_context():
        with scope(actor=Actor.job("send"), account_id=1):
            for start in range(0, n, block):
                began = time.perf_counter()
                for row in rows[start : start + block]:
                    with conn.begin():
                        conn.execute(insert(table), row)
                spent["plain"] += time.perf_counter() - began
                began = time.perf_counter()
                for i in range(start, min(start + block, n)):
                    record(
                        Action.TIKTOK_REQUEST,
                        summary="POST /v2/post/publish/status/fetch/ → 200",
                        payload=PAYLOAD,
                        post_id=i % 5000 + 1,
                        **FIELDS,
                    )
                spent["audit"] += time.perf_counter() - began
    table.drop(engine)
    plain, audited = n / spent["plain"], n / spent["audit"]
    return {"plain": plain, "audit": audited, "ratio": audited / plain}


def bench_page(app: Flask, n: int, changes: bool = False) -> dict[str, float]:
    """Mean request time of a page that records one entry against the same page without.

    ``changes``: the page also changes a row and commits (as every recording form does); the
    entry is recorded before that commit, so on SQLite it joins it: one durable commit for
    both. Otherwise the page only reads, and the entry is its one durable commit.
    """
    from studio import db
    from studio.auth.models import User

    page = "<ul>{% for u in users %}<li>{{ u.email }}</li>{% endfor %}</ul><p>{{ n }}</p>"
    with app.extensions["db"]["engine"].begin() as conn:
        conn.execute(text("CREATE TABLE IF NOT EXISTS bench_counter (n INTEGER NOT NULL)"))
        conn.execute(text("DELETE FROM bench_counter"))
        conn.execute(text("INSERT INTO bench_counter (n) VALUES (0)"))

    def render(name: str) -> str:
        users = db.session.query(User).limit(10).all()
        if request.args.get("changes") or name == "committed":
            db.session.execute(text("UPDATE bench_counter SET n = n + 1"))
        if name == "recorded":
            record(Action.POST_STATUS, actor=Actor.system("bench"), summary="page viewed")
        db.session.commit()
        return render_template_string(page, users=users, n=len(users))

    if "bench_page" not in app.view_functions:  # routes can only be added before a request
        app.add_url_rule("/_bench/<name>", "bench_page", render)
    client = app.test_client()
    query = "?changes=1" if changes else ""
    # "committed": the reading page plus one plain durable commit (a one-row UPDATE) and no
    # entry: the floor for any page that must leave one durable trace before it answers.
    names = ("plain", "recorded") if changes else ("plain", "recorded", "committed")
    samples: dict[str, list[float]] = {name: [] for name in names}
    for _ in range(50):  # warm up
        for name in names:
            client.get(f"/_bench/{name}{query}")
    for _ in range(n):
        for name in names:
            started = time.perf_counter()
            assert client.get(f"/_bench/{name}{query}").status_code == 200
            samples[name].append(time.perf_counter() - started)
    means = {k: sum(v) / n * 1000 for k, v in samples.items()}
    medians = {k: statistics.median(v) * 1000 for k, v in samples.items()}
    out = {
        "plain_ms": means["plain"],
        "recorded_ms": means["recorded"],
        "ratio": means["recorded"] / means["plain"],
        "median_ratio": medians["recorded"] / medians["plain"],
    }
    if "committed" in means:
        out["committed_ms"] = means["committed"]
        out["floor_ratio"] = means["committed"] / means["plain"]
        out["over_floor"] = means["recorded"] / means["committed"]
    return out


def build_chain(app: Flask, n: int, batch: int = 20000) -> None:
    """Fill the chain with ``n`` valid entries quickly (bulk transactions; for the bench only)."""
    reset(app)
    engine = app.extensions["db"]["engine"]
    prev, seq = chain_rules.GENESIS, 0
    spec = _spec()
    while seq < n:
        rows = []
        for _ in range(min(batch, n - seq)):
            seq += 1
            row = build_row(seq, utcnow(), prev, spec)
            prev = row["hash"]
            rows.append(row)
        with engine.begin() as conn:
            conn.execute(insert(TABLE), rows)


def child_verify(url: str, folder: str, limit: int) -> None:
    """In a fresh process: read the chain back, and verify it (best of two each); print JSON."""
    from studio.audit import verify as verifying

    app = create_app(
        {
            "ENV": "testing",
            "INSTANCE_PATH": folder,
            "SECRET_KEY": "bench-" + "x" * 40,
            "VAULT_KEYS": Fernet.generate_key().decode(),
            "AUDIT_SEAL_KEY": "bench-seal-key",
            "DATABASE_URL": url,
            "HUEY_IMMEDIATE": True,
        }
    )
    with app.app_context():
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        read_s = verify_s = float("inf")
        for _round in range(2):  # best of two, alternating, against background noise
            started = time.perf_counter()
            count = sum(1 for _row in verifying.scan(app))
            read_s = min(read_s, time.perf_counter() - started)
            started = time.perf_counter()
            report = verifying.verify(app)
            verify_s = min(verify_s, time.perf_counter() - started)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    workers_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(
        json.dumps(
            {
                "rows": count,
                "intact": report.intact,
                "message": report.message(),
                "read_s": read_s,
                "verify_s": verify_s,
                "rss_start_mib": rss_before / 1024,
                "rss_peak_mib": peak / 1024,
                "rss_workers_peak_mib": workers_peak / 1024,
            }
        )
    )


def run_child(url: str, folder: Path) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--child-verify", url, str(folder), "0"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--page-requests", type=int, default=2000)
    parser.add_argument("--verify-entries", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument(
        "--only", choices=("append", "page", "verify"), default=None, help="run one part"
    )
    parser.add_argument("--child-verify", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_verify:
        url, folder, limit = args.child_verify
        child_verify(url, folder, int(limit))
        return
    folder = Path(tempfile.mkdtemp(prefix="audit-bench-"))
    app = make(args.database_url, folder)
    url = app.config["DATABASE_URL"]
    where = "PostgreSQL" if url.startswith("postgresql") else "SQLite (WAL, synchronous=FULL)"
    print(f"database: {where}")

    if args.only in (None, "append"):
        append = bench_append(app, args.entries)
        print(
            f"append {args.entries:,} entries: record() {append['audit']:,.0f}/s, "
            f"plain single-row inserts {append['plain']:,.0f}/s, "
            f"ratio {append['ratio']:.2f} (target >= 0.5)"
        )
    if args.only in (None, "page"):
        for changes, what in ((False, "reading"), (True, "changing a row")):
            reset(app)
            page = bench_page(app, args.page_requests, changes)
            print(
                f"page {what}, recording one entry: {page['recorded_ms']:.2f} ms vs "
                f"{page['plain_ms']:.2f} ms without, ratio {page['ratio']:.2f} "
                f"(of medians {page['median_ratio']:.2f}; target <= 1.2)"
            )
            if "committed_ms" in page:
                print(
                    f"  floor: the same page with one plain durable commit instead of the "
                    f"entry {page['committed_ms']:.2f} ms, ratio {page['floor_ratio']:.2f} to "
                    f"the page; the recorded page is {page['over_floor']:.2f} of the floor"
                )

    sizes = (args.verify_entries // 4, args.verify_entries)
    for size in sizes if args.only in (None, "verify") else ():
        build_chain(app, size)
        result = run_child(url, folder)
        assert result["intact"] and result["rows"] == size, result
        print(
            f"verify {size:,} entries: {result['verify_s']:.1f} s, read back only "
            f"{result['read_s']:.1f} s, ratio {result['verify_s'] / result['read_s']:.2f} "
            f"(target <= 2); peak RSS {result['rss_peak_mib']:.0f} MiB "
            f"(process start {result['rss_start_mib']:.0f} MiB, "
            f"largest verify worker {result['rss_workers_peak_mib']:.0f} MiB)"
        )
    reset(app)


if __name__ == "__main__":
    main()
