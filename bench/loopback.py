"""The upload benches' shared harness: the sandbox in a child process, client against curl.

A bench starts the sandbox (`sandbox`), writes a random file (`random_file`), then `race`s a
timed client run against a timed curl run, interleaved, and prints the `report`: best MiB/s
of each, the ratio client/curl, and this process's peak RSS growth while the runs went on.
"""

from __future__ import annotations

import os
import re
import resource
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
MIB = 1024 * 1024
REPEAT = 3


@contextmanager
def sandbox(
    youtube: dict[str, Any] | None = None, meta: dict[str, Any] | None = None
) -> Iterator[str]:
    """`run_sandbox` on a free port in a child process; its base URL while it runs."""
    code = (
        "from studio.sandbox.server import run_sandbox; "
        f"run_sandbox('127.0.0.1', 0, None, {youtube!r}, {meta!r})"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        text=True,
    )  # fmt: skip
    try:
        line = child.stdout.readline() if child.stdout else ""
        found = re.search(r"http://[\d.]+:\d+", line)
        if found is None or child.stdout is None:
            raise RuntimeError(f"the sandbox did not start: {line!r}")
        threading.Thread(target=child.stdout.read, daemon=True).start()  # never let it fill
        yield found.group(0)
    finally:
        child.terminate()
        child.wait(10)


def session() -> requests.Session:
    """A requests Session that ignores proxy settings (loopback only)."""
    http = requests.Session()
    http.trust_env = False
    return http


def random_file(path: Path, size: int) -> Path:
    """Write `size` random bytes (whole MiB) to `path`."""
    with open(path, "wb") as out:
        for _ in range(size // MIB):
            out.write(os.urandom(MIB))
    return path


@dataclass
class Race:
    """Seconds per run of the client and of curl, and the peak RSS growth (MiB)."""

    client: list[float]
    curl: list[float]
    peak_mib: float
    growth_mib: float


def race(client: Callable[[], float], curl: Callable[[], float], repeat: int = REPEAT) -> Race:
    """Run the client and curl in turn `repeat` times; each callable returns its seconds."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    mine, theirs = [], []
    for _ in range(repeat):
        mine.append(client())
        theirs.append(curl())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return Race(mine, theirs, peak, peak - before / 1024)


def report(title: str, size: int, client_label: str, curl_label: str, result: Race) -> None:
    """Print best and every run's MiB/s, the ratio client/curl and the RSS figures."""
    speed = [size / MIB / s for s in result.client]
    base_speed = [size / MIB / s for s in result.curl]
    print(title)
    print(f"  {client_label:<20} MiB/s  best {max(speed):.0f}  runs {_list(speed)}")
    print(f"  {curl_label:<20} MiB/s  best {max(base_speed):.0f}  runs {_list(base_speed)}")
    print(f"  ratio client/curl  {max(speed) / max(base_speed):.2f}")
    print(
        f"  client process peak RSS {result.peak_mib:.0f} MiB, "
        f"growth while uploading {result.growth_mib:.1f} MiB"
    )


def _list(values: list[float]) -> str:
    return "/".join(f"{v:.0f}" for v in values)
