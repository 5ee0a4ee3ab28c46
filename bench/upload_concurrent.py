"""Several uploads at once through as many gunicorn workers, beside as many raw copies at once.

Run by bench/upload_pipeline.py (``--concurrent N``, default 4) after its one-upload figures:
the same app with N sync workers; N clients, each with its own file of the same size (distinct
random padding, so none is a duplicate), first all stream their file to the raw-copy route at
once, then all upload it the browser's way at once; the aggregate throughput of each (N × size
over the time until the last one finished), best of --repeat rounds taken in turns, and each
worker's peak RSS growth over its idle size (target ≤ 64 MB: flat however many uploads run).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

from bench.upload_pipeline import (
    Client,
    Row,
    baseline,
    csrf_from,
    delete_video,
    free_port,
    gunicorn,
    hwm_mb,
    make_padded_video,
    mbps,
    reset_hwm,
    rss_mb,
    upload,
)


def stage_concurrent(
    env: dict[str, str], password: str, video: Path, count: int, repeat: int
) -> list[Row]:
    """Rows comparing `count` uploads at once with `count` raw copies at once."""
    size = video.stat().st_size
    files = [video] + [video.with_name(f"bench-{i}.mp4") for i in range(1, count)]
    for path in files[1:]:
        make_padded_video(path, size)
    port = free_port()
    try:
        with gunicorn(env, port, workers=count) as (master, _first):
            workers = wait_workers(master, count)
            clients = [Client(port) for _ in files]
            tokens = []
            for client in clients:
                client.login(password)
                tokens.append(csrf_from(client.call("GET", "/videos/upload")[2]))
            idle = {pid: rss_mb(pid) for pid in workers}
            raw, ups, peaks = [], [], []
            for _round in range(repeat):
                raw.append(at_once(workers, [lambda c=c, f=f: baseline(c, f) for c, f in
                                             zip(clients, files, strict=True)])[0])  # fmt: skip
                seconds, peak, results = at_once(
                    workers,
                    [lambda c=c, f=f, t=t: upload(c, f, None, t, None)
                     for c, f, t in zip(clients, files, tokens, strict=True)],
                )  # fmt: skip
                ups.append(seconds)
                peaks.append(max(peak[pid] - idle[pid] for pid in workers))
                for client, result in zip(clients, results, strict=True):
                    delete_video(client, result["video_id"])
    finally:
        for path in files[1:]:
            path.unlink(missing_ok=True)
    total = size * count
    best_raw, best_up = mbps(total, min(raw)), mbps(total, min(ups))
    label = f"{count} at once"
    return [
        Row(label, "aggregate throughput (MB/s)", f"{best_up:.0f}",
            f"{best_raw:.0f} {count} raw copies at once", f"{best_up / best_raw:.2f}", "≥ 0.8"),
        Row(label, "ratio to raw copies, each round",
            "/".join(f"{r / u:.2f}" for r, u in zip(raw, ups, strict=True)), "same round"),
        Row(label, "largest worker RSS growth (MB)", f"{max(peaks):.1f}", "", "", "≤ 64"),
    ]  # fmt: skip


def wait_workers(master: int, count: int) -> list[int]:
    """The pids of the master's `count` workers, once all have started."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        if len(children) >= count:
            time.sleep(1.0)  # a worker that just forked is still importing the app
            return [int(pid) for pid in children]
        time.sleep(0.2)
    raise SystemExit(f"gunicorn did not start {count} workers")


def at_once(
    workers: list[int], jobs: list[Callable[[], dict]]
) -> tuple[float, dict[int, float], list[dict]]:
    """Run the jobs in threads together: (seconds until the last ended, peaks, results)."""
    for pid in workers:
        reset_hwm(pid)
    results: list[dict | BaseException] = [{}] * len(jobs)
    start = threading.Barrier(len(jobs) + 1)

    def run(index: int) -> None:
        start.wait()
        try:
            results[index] = jobs[index]()
        except BaseException as exc:  # noqa: BLE001 - re-raised below in the main thread
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - began
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return seconds, {pid: hwm_mb(pid) for pid in workers}, results  # type: ignore[return-value]
