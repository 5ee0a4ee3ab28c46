"""Meta rupload: the client's send loop against `curl -T` of the same file to the same sandbox.

The sandbox runs in its own process (`run_sandbox`), so the client and curl each talk to it
over loopback alone. Each run makes a fresh Instagram Reels container (not timed), then either
`send_file` streams the file to its rupload URI (asking the offset first, as a worker does), or
curl POSTs it with the same headers. Best of three interleaved runs, the ratio client/curl,
and this process's peak RSS growth (the body is streamed from disk, never held).

Run: .venv/bin/python bench/meta_upload.py [size_mib]   (default: 256)
"""

from __future__ import annotations

import os
import re
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402

from studio.platforms.meta.client import MetaClient  # noqa: E402
from studio.platforms.meta.resume import send_file  # noqa: E402

MIB = 1024 * 1024
REPEAT = 3
VERSION = "v27.0"
REDIRECT = "http://127.0.0.1:5000/meta/callback"
APP_ID, SECRET = "1234567890123456", "sandbox-meta-app-secret"
SCOPES = "pages_show_list,pages_read_engagement,instagram_basic,instagram_content_publish"
IG_ID = "17841400000000001"


def start_sandbox() -> tuple[subprocess.Popen[str], str]:
    """`run_sandbox` on a free port in a child process; its base URL once it listens."""
    code = (
        "from studio.sandbox.server import run_sandbox; "
        "run_sandbox('127.0.0.1', 0, None, None, {'processing_delay': 3600})"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        text=True,
    )  # fmt: skip
    line = child.stdout.readline() if child.stdout else ""
    found = re.search(r"http://[\d.]+:\d+", line)
    if found is None or child.stdout is None:
        raise RuntimeError(f"the sandbox did not start: {line!r}")
    threading.Thread(target=child.stdout.read, daemon=True).start()  # never let the pipe fill
    return child, found.group(0)


def user_token(http: requests.Session, url: str, client: MetaClient) -> str:
    """Login through the control endpoint, then the client's code exchange."""
    body = {"person": "dana", "scope": SCOPES, "redirect_uri": REDIRECT, "state": "b"}
    answer = http.post(f"{url}/_sandbox/meta/authorize", json=body).json()
    code = parse_qs(urlsplit(answer["redirect_url"]).query)["code"][0]
    return client.exchange_code(code, REDIRECT).access_token


def curl_once(uri: str, token: str, path: Path) -> float:
    """Seconds for curl to POST the whole file to the rupload URI."""
    size = path.stat().st_size
    command = ["curl", "-sS", "-f", "-o", "/dev/null", "-T", str(path), "-X", "POST"]
    command += ["-H", f"Authorization: OAuth {token}", "-H", "offset: 0"]
    command += ["-H", f"file_size: {size}", "-H", "Content-Type: application/octet-stream"]
    started = time.perf_counter()
    subprocess.run([*command, "-H", "Expect:", uri], check=True)
    return time.perf_counter() - started


def client_once(client: MetaClient, uri: str, token: str, path: Path) -> float:
    """Seconds for send_file to stream the file (offset asked first)."""
    size = path.stat().st_size
    started = time.perf_counter()
    send_file(client, uri, token, path, size, progress=lambda _offset: None)
    return time.perf_counter() - started


def main(argv: list[str]) -> None:
    size = int(argv[0]) * MIB if argv else 256 * MIB
    child, url = start_sandbox()
    try:
        with tempfile.TemporaryDirectory(prefix="meta-bench-") as tmp, requests.Session() as http:
            http.trust_env = False
            path = Path(tmp) / "video.bin"
            with open(path, "wb") as out:
                for _ in range(size // MIB):
                    out.write(os.urandom(MIB))
            client = MetaClient(
                APP_ID, SECRET, VERSION, "", f"{url}/meta/graph", f"{url}/meta/rupload", 120,
                lambda _e: None,
            )  # fmt: skip
            client.transport.http.trust_env = False
            token = user_token(http, url, client)

            def new_uri() -> str:
                uri = client.create_reel_container(token, IG_ID, "", False, False).upload_uri
                assert uri is not None
                return uri

            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            mine, curls = [], []
            for _ in range(REPEAT):
                mine.append(client_once(client, new_uri(), token, path))
                curls.append(curl_once(new_uri(), token, path))
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            growth = peak - rss / 1024
    finally:
        child.terminate()
        child.wait(10)
    speed = [size / MIB / s for s in mine]
    base_speed = [size / MIB / s for s in curls]
    print(f"Meta rupload, {size // MIB} MiB in one POST from offset 0, loopback")
    print(f"  client send_file   MiB/s  best {max(speed):.0f}  runs {_list(speed)}")
    print(f"  curl -T same file  MiB/s  best {max(base_speed):.0f}  runs {_list(base_speed)}")
    print(f"  ratio client/curl  {max(speed) / max(base_speed):.2f}")
    print(f"  client process peak RSS {peak:.0f} MiB, growth while uploading {growth:.1f} MiB")


def _list(values: list[float]) -> str:
    return "/".join(f"{v:.0f}" for v in values)


if __name__ == "__main__":
    main(sys.argv[1:])
