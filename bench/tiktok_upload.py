"""Chunk PUT throughput of TikTokClient.upload_chunk against curl, on loopback.

Prints MiB/s for curl (-T, streamed) and for the client (one 1 GiB PUT, then 64 MiB chunks),
the ratio client/curl, and the client's peak RSS growth (constant memory check).
Run: .venv/bin/python bench/tiktok_upload.py [size_mib]
"""

from __future__ import annotations

import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from studio.platforms.tiktok.client import TikTokClient  # noqa: E402

MIB = 1024 * 1024


class Sink:
    """A minimal HTTP/1.1 server that reads each PUT body and answers 201/206, keep-alive."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            conn, _ = self.sock.accept()
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        buf = bytearray(4 * MIB)
        view = memoryview(buf)
        pending = b""
        with conn:
            while True:
                while b"\r\n\r\n" not in pending:
                    data = conn.recv(65536)
                    if not data:
                        return
                    pending += data
                head, _, pending = pending.partition(b"\r\n\r\n")
                headers = dict(
                    line.split(": ", 1) for line in head.decode().split("\r\n")[1:] if ": " in line
                )
                lowered = {k.lower(): v for k, v in headers.items()}
                if lowered.get("expect", "").lower() == "100-continue":
                    conn.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
                remaining = int(lowered.get("content-length", "0")) - len(pending)
                pending = b""
                while remaining > 0:
                    got = conn.recv_into(view, min(len(buf), remaining))
                    if not got:
                        return
                    remaining -= got
                rng = lowered.get("content-range", "bytes 0-0/1")
                last, total = rng.split(" ")[1].split("-")[1].split("/")
                status = "201 Created" if int(last) + 1 == int(total) else "206 Partial Content"
                conn.sendall(
                    f"HTTP/1.1 {status}\r\nContent-Length: 0\r\n"
                    f"Content-Range: bytes 0-{last}/{total}\r\n\r\n".encode()
                )


def make_file(size: int) -> Path:
    path = Path(tempfile.mkdtemp()) / "bench.mp4"
    with open(path, "wb") as fh:
        block = os.urandom(MIB)
        for _ in range(size // MIB):
            fh.write(block)
    with open(path, "rb") as fh:  # warm the page cache without growing our RSS
        while fh.read(MIB):
            pass
    return path


def curl(url: str, path: Path, size: int) -> float:
    start = time.perf_counter()
    subprocess.run(
        [
            "curl",
            "-sS",
            "-o",
            "/dev/null",
            "-T",
            str(path),
            "-H",
            "Content-Type: video/mp4",
            "-H",
            f"Content-Range: bytes 0-{size - 1}/{size}",
            "-H",
            "Expect:",
            url,
        ],
        check=True,
    )
    return time.perf_counter() - start


def client_whole(client: TikTokClient, url: str, path: Path, size: int) -> float:
    start = time.perf_counter()
    result = client.upload_chunk(url, path, 0, size - 1, size, "video/mp4")
    assert result.status_code == 201, result
    return time.perf_counter() - start


def client_chunks(client: TikTokClient, url: str, path: Path, size: int, chunk: int) -> float:
    start = time.perf_counter()
    for first in range(0, size, chunk):
        client.upload_chunk(url, path, first, min(first + chunk, size) - 1, size, "video/mp4")
    return time.perf_counter() - start


def main() -> None:
    if not all(a.isdigit() for a in sys.argv[1:2]):
        sys.exit(__doc__)  # --help, or a size that is not a whole number of MiB
    size = int(sys.argv[1]) * MIB if len(sys.argv) > 1 else 1024 * MIB
    sink = Sink()
    url = f"http://127.0.0.1:{sink.port}/upload/?upload_id=1&upload_token=t"
    path = make_file(size)
    client = TikTokClient("k", "s", "http://127.0.0.1:9", "", 120.0, hook=lambda _exchange: None)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    runs: dict[str, list[float]] = {"curl": [], "client": [], "client_64mib": []}
    for _ in range(3):
        runs["curl"].append(curl(url, path, size))
        runs["client"].append(client_whole(client, url, path, size))
        runs["client_64mib"].append(client_chunks(client, url, path, size, 64 * MIB))
    rss_growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before
    speeds = {k: size / MIB / statistics.median(v) for k, v in runs.items()}
    print(f"payload: {size // MIB} MiB over loopback, median of 3 runs")
    for name, speed in speeds.items():
        print(f"  {name:<13} {speed:8.0f} MiB/s")
    print(f"  ratio client/curl        {speeds['client'] / speeds['curl']:.2f}")
    print(f"  ratio client_64mib/curl  {speeds['client_64mib'] / speeds['curl']:.2f}")
    print(f"  client peak RSS growth during uploads: {rss_growth / 1024:.1f} MiB")
    path.unlink()


if __name__ == "__main__":
    main()
