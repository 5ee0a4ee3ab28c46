"""Two processes appending at once never fork the chain."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from flask import Flask

from tests.audit.conftest import check

ROOT = Path(__file__).resolve().parents[2]
WRITER = """
import json, os, sys
from studio import create_app
from studio.audit import Action, Actor, record
app = create_app(json.loads(os.environ["AUDIT_TEST_CONFIG"]))
name, count = sys.argv[1], int(sys.argv[2])
sys.stdin.readline()  # start together
with app.app_context():
    for n in range(count):
        record(Action.POST_STATUS, actor=Actor.job(name), summary=f"{name} {n}", payload={"n": n})
print("done")
"""
COUNT = 150


def _config(app: Flask) -> dict[str, object]:
    keys = ("ENV", "TESTING", "SECRET_KEY", "VAULT_KEYS", "AUDIT_SEAL_KEY", "DATABASE_URL")
    config = {k: app.config[k] for k in keys}
    config.update(INSTANCE_PATH=app.instance_path, HUEY_IMMEDIATE=True)
    return config


def test_two_processes_append_one_chain(app: Flask) -> None:
    env = {**os.environ, "AUDIT_TEST_CONFIG": json.dumps(_config(app)), "PYTHONPATH": str(ROOT)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, name, str(COUNT)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            cwd=ROOT,
            text=True,
        )
        for name in ("left", "right")
    ]
    for proc in procs:
        proc.stdin.write("go\n")
        proc.stdin.flush()
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err[-2000:]
        assert out.strip() == "done"
    report = check(app)
    assert report.intact, report.message()
    assert report.entries == 2 * COUNT


def test_two_threads_append_one_chain(app: Flask) -> None:
    import threading

    from studio.audit import Action, Actor, record

    def work(name: str) -> None:
        with app.app_context():
            for n in range(50):
                record(Action.POST_STATUS, actor=Actor.job(name), summary=str(n))

    threads = [threading.Thread(target=work, args=(f"t{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    report = check(app)
    assert report.intact and report.entries == 200
