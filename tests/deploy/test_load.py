"""The load bench in a short form: 10 users for 10 s each on a small and a seeded database.

It asserts what must hold at any speed (no server errors, every page kind exercised, the
audit chain intact after seeding and load), never timings: those are ``bench/load.py``'s.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.deploy.conftest import require_services
from tests.deploy.stack import ROOT

pytestmark = pytest.mark.deploy

KINDS = {
    "sign in",
    "dashboard",
    "videos",
    "posts",
    "posts (older)",
    "post",
    "audit",
    "prepare",
    "preview",
    "send",
    "privacy",
    "data-deletion",
    "file request",
}


def test_short_load_run_has_no_errors(tmp_path: Path) -> None:
    server = require_services()
    out = tmp_path / "load.json"
    args = ["--users", "10", "--seconds", "10", "--think", "0.2", "--posts", "3000"]
    args += ["--audit", "20000"]
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "load.py"),
            *args,
            "--database-url",
            server,
            "--json",
            str(out),
        ],
        cwd=ROOT,
        check=True,
        timeout=600,
    )
    results = json.loads(out.read_text())

    assert set(results) == {"small", "big"}
    for name, run in results.items():
        assert (run["server_errors"], run["client_errors"], run["failed"]) == (0, 0, 0), (
            name,
            run["examples"],
        )
        assert run["dead"] == [], name
        assert KINDS - {"posts (older)"} <= set(run["kinds"]), (name, sorted(run["kinds"]))
        assert "entries, intact" in run["verify"], (name, run["verify"])
    assert "posts (older)" in results["big"]["kinds"]  # 3,000 posts: more than one page
