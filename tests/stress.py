"""`make stress`: the fault, deploy and browser suites N times with new seeds; passes per test.

Each round runs them on SQLite (STUDIO_TEST_ON_SQLITE=1; the deploy tests use PostgreSQL
anyway), then the fault suite again on PostgreSQL (where the database restart test runs), with
STUDIO_FAULT_SEED = seed + round. PostgreSQL: STUDIO_TEST_DATABASE_URL (with STUDIO_TEST_PGBIN,
_PGDATA, _PGPORT for the restart test) when set, else a throwaway cluster started here, as
.ci/run does. Logs and JUnit files go to .stress/. Exit status 1 if any test failed once.

    .venv/bin/python tests/stress.py [--rounds 5] [--seed 1234] [--keep-going]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / ".stress"
SUITES = ["tests/faults", "tests/deploy", "tests/e2e"]
PG_SUITES = ["tests/faults"]


def start_postgres() -> tuple[dict[str, str], Callable[[], None]]:
    """A throwaway PostgreSQL cluster on a free loopback port: (env, stop)."""
    pgbin = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
    if not pgbin or not shutil.which("runuser"):
        return {}, lambda: None
    pgbin_dir, data = str(pgbin[-1]), tempfile.mkdtemp(prefix="stress-pg-")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = str(sock.getsockname()[1])
    as_postgres = ["runuser", "-u", "postgres", "--"]
    shutil.chown(data, "postgres")
    quiet = {"stdout": subprocess.DEVNULL, "check": True}
    subprocess.run([*as_postgres, f"{pgbin_dir}/initdb", "-D", data, "-A", "trust"], **quiet)
    options = f"-p {port} -k {data} -c listen_addresses=127.0.0.1"
    ctl = [*as_postgres, f"{pgbin_dir}/pg_ctl", "-D", data]
    subprocess.run([*ctl, "-l", f"{data}/server.log", "-w", "-o", options, "start"], **quiet)
    subprocess.run(
        [f"{pgbin_dir}/createdb", "-h", "127.0.0.1", "-p", port, "-U", "postgres", "studio_test"],
        check=True,
    )

    def stop() -> None:
        subprocess.run([*ctl, "-m", "fast", "stop"], stdout=subprocess.DEVNULL, check=False)
        shutil.rmtree(data, ignore_errors=True)

    env = {
        "STUDIO_TEST_DATABASE_URL": f"postgresql+psycopg://postgres@127.0.0.1:{port}/studio_test",
        "STUDIO_TEST_PGBIN": pgbin_dir,
        "STUDIO_TEST_PGDATA": data,
        "STUDIO_TEST_PGPORT": port,
    }
    return env, stop


def outcomes(junit: Path) -> dict[str, str]:
    """test id → passed / failed / skipped, from a JUnit XML report."""
    if not junit.exists():
        return {}
    found = {}
    for case in ET.parse(junit).getroot().iter("testcase"):
        module = case.get("classname", "").replace(".", "/")
        name = f"{module}.py::{case.get('name')}"
        if case.find("failure") is not None or case.find("error") is not None:
            found[name] = "failed"
        elif case.find("skipped") is not None:
            found.setdefault(name, "skipped")
        else:
            found.setdefault(name, "passed")
    return found


def run_pass(label: str, suites: list[str], env: dict[str, str]) -> tuple[dict[str, str], float]:
    """One pytest run; its outcomes per test and its wall time."""
    junit, log = OUT / f"{label}.xml", OUT / f"{label}.log"
    command = [sys.executable, "-m", "pytest", *suites, "-q", "-p", "no:cacheprovider"]
    command += [f"--junitxml={junit}", "-o", "junit_family=xunit1"]
    started = time.monotonic()
    with open(log, "wb") as out:
        subprocess.run(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    wall = time.monotonic() - started
    lines = log.read_text(errors="replace").strip().splitlines()
    print(f"  {label}: {lines[-1] if lines else 'no output'} (wall {wall:.0f} s)", flush=True)
    for line in lines:
        if line.startswith(("FAILED", "ERROR")):
            print(f"    {line}", flush=True)
    return outcomes(junit), wall


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=int(os.environ.get("N") or 5))
    seed_default = os.environ.get("STUDIO_FAULT_SEED") or random.SystemRandom().randrange(2**31)
    parser.add_argument("--seed", type=int, default=int(seed_default))
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    base = {k: v for k, v in os.environ.items() if not k.startswith("STUDIO_TEST_")}
    pg = {k: v for k, v in os.environ.items() if k.startswith("STUDIO_TEST_PG")}
    stop: Callable[[], None] = lambda: None  # noqa: E731
    if os.environ.get("STUDIO_TEST_DATABASE_URL"):
        pg["STUDIO_TEST_DATABASE_URL"] = os.environ["STUDIO_TEST_DATABASE_URL"]
    else:
        pg, stop = start_postgres()
    if not pg:
        print("no PostgreSQL: the deploy and database restart tests will be skipped")
    results: dict[str, list[str]] = defaultdict(lambda: ["-"] * args.rounds)
    walls: list[float] = []
    try:
        for n in range(args.rounds):
            seed = args.seed + n
            print(f"round {n + 1}/{args.rounds}: STUDIO_FAULT_SEED={seed}", flush=True)
            env = {**base, **pg, "STUDIO_FAULT_SEED": str(seed)}
            passes = [(f"r{n + 1}-sqlite", SUITES, {**env, "STUDIO_TEST_ON_SQLITE": "1"}, "")]
            if pg:
                passes.append((f"r{n + 1}-postgres", PG_SUITES, env, " [postgres]"))
            for label, suites, pass_env, suffix in passes:
                found, wall = run_pass(label, suites, pass_env)
                walls.append(wall)
                for test, outcome in found.items():
                    results[test + suffix][n] = outcome
    finally:
        stop()
    return report(results, args.rounds, walls)


def report(results: dict[str, list[str]], rounds: int, walls: list[float]) -> int:
    """Print passes per test (P passed, F failed, s skipped, - not run) and the totals."""
    print(f"\n== passes per test over {rounds} rounds ==")
    failed = 0
    for test in sorted(results):
        marks = results[test]
        passed = marks.count("passed")
        ran = passed + marks.count("failed")
        failed += marks.count("failed")
        line = "".join({"passed": "P", "failed": "F", "skipped": "s"}.get(m, "-") for m in marks)
        print(f"{passed}/{ran}  {line}  {test}")
    print(f"\n{len(results)} tests, {failed} failed runs; wall time {sum(walls):.0f} s in all")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
