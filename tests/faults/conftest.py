"""Faults suite fixtures: an app on the sandbox, worker processes, and the faults/lost tally."""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.platforms.youtube.app_support import browser, yt_admin, yt_app, yt_sandbox  # noqa: F401
from tests.platforms.youtube.send_support import send_app, yt_channel  # noqa: F401 (YouTube)
from tests.posts.conftest import account  # noqa: F401 (the same connected creator)
from tests.workers import Workers

FAST = {
    "POSTS_RETRY_BASE": 0.02,
    "POSTS_RETRY_CAP": 0.2,
    "POSTS_POLL_BASE": 0.05,
    "POSTS_POLL_CAP": 0.2,
    "POSTS_LEASE_SECONDS": 2,
}


@dataclass
class Tally:
    """Faults injected and work lost, per test; summed at the end of the session."""

    rows: list[tuple[str, int, int, str]] = field(default_factory=list)

    def add(self, test: str, injected: int, lost: int, detail: str = "") -> None:
        """Record one test's figures (also printed at once, for `-s` runs)."""
        self.rows.append((test, injected, lost, detail))
        print(f"[faults] {test}: injected {injected}, lost {lost} {detail}".rstrip())


TALLY = Tally()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """The suite's closing figures: faults injected N / work lost M."""
    if not TALLY.rows:
        return
    write = terminalreporter.write_line
    terminalreporter.section("faults injected / work lost")
    for test, injected, lost, detail in TALLY.rows:
        write(f"{test}: {injected} / {lost}  {detail}".rstrip())
    injected = sum(row[1] for row in TALLY.rows)
    lost = sum(row[2] for row in TALLY.rows)
    write(f"TOTAL faults injected {injected} / work lost {lost}")


@pytest.fixture
def tally(request: pytest.FixtureRequest) -> Any:
    """`tally(injected, lost, detail)` for the running test."""

    def add(injected: int, lost: int, detail: str = "") -> None:
        TALLY.add(request.node.name, injected, lost, detail)

    return add


@pytest.fixture
def rng() -> random.Random:
    """A seeded RNG for fault points; the seed is printed (STUDIO_FAULT_SEED replays it)."""
    seed = int(os.environ.get("STUDIO_FAULT_SEED") or random.SystemRandom().randrange(2**32))
    print(f"fault seed {seed} (replay: STUDIO_FAULT_SEED={seed})")
    return random.Random(seed)


@pytest.fixture
def app(sandbox_app: Flask) -> Flask:
    """An app on the sandbox; retries, polls and leases are quick."""
    sandbox_app.config.update(FAST)
    return sandbox_app


@pytest.fixture
def workers(app: Flask, tmp_path: Path) -> Iterator[Workers]:
    """Worker processes on a real queue file; all stopped (and their logs shown) at the end."""
    pool = Workers(app, tmp_path)
    yield pool
    pool.stop()
