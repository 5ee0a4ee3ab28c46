"""YouTube resumable upload: the client's send loop against `curl -T` of the same chunks.

The sandbox runs in its own process (`run_sandbox`), so the client and curl each talk to it
over loopback alone. Each run opens a fresh session (its time is not counted), then either
`send_video` streams the file in `chunk` pieces, or curl PUTs the same pieces (cut to files
before timing) with the same Content-Range headers. Best of three interleaved runs, the
ratio client/curl, and this process's peak RSS growth (chunks are streamed, never held).

Run: .venv/bin/python bench/youtube_upload.py [size_mib [chunk_mib]]   (default: 256 8)
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

from studio.platforms.youtube.client import YouTubeClient  # noqa: E402
from studio.platforms.youtube.resume import send_video  # noqa: E402
from studio.platforms.youtube.rules import VideoMetadata  # noqa: E402

MIB = 1024 * 1024
REPEAT = 3
REDIRECT = "http://127.0.0.1:5000/youtube/callback"
CLIENT_ID = "sandbox-google-client.apps.googleusercontent.com"
SECRET = "sandbox-google-client-secret"
SCOPES = "https://www.googleapis.com/auth/youtube.upload"
META = VideoMetadata("Bench", "", (), "22", "private", False, False, False, False)


def start_sandbox() -> tuple[subprocess.Popen[str], str]:
    """`run_sandbox` on a free port in a child process; its base URL once it listens."""
    code = (
        "from studio.sandbox.server import run_sandbox; "
        f"run_sandbox('127.0.0.1', 0, None, {{'redirect_uris': [{REDIRECT!r}], "
        "'reject_duplicates': False, 'upload_calls_per_day': 100000})"
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


def access_token(http: requests.Session, url: str) -> str:
    """Consent through the control endpoint (PKCE off: not measured), then the code exchange."""
    body = {
        "client_id": CLIENT_ID, "redirect_uri": REDIRECT, "scope": SCOPES, "state": "b",
        "access_type": "offline", "channel": "brand",
    }  # fmt: skip
    http.post(f"{url}/_sandbox/youtube/config", json={"require_pkce": False}).raise_for_status()
    answer = http.post(f"{url}/_sandbox/youtube/authorize", json=body).json()
    code = parse_qs(urlsplit(answer["redirect_url"]).query)["code"][0]
    form = {"code": code, "client_id": CLIENT_ID, "client_secret": SECRET}
    form |= {"redirect_uri": REDIRECT, "grant_type": "authorization_code"}
    return str(http.post(f"{url}/google/token", data=form).json()["access_token"])


def cut(path: Path, folder: Path, chunk: int) -> list[tuple[Path, str]]:
    """The chunk plan as files with their Content-Range (cut before anything is timed)."""
    size, parts = path.stat().st_size, []
    with open(path, "rb") as src:
        for first in range(0, size, chunk):
            part = folder / f"part{first}"
            part.write_bytes(src.read(min(chunk, size - first)))
            last = first + part.stat().st_size - 1
            parts.append((part, f"bytes {first}-{last}/{size}"))
    return parts


def curl_once(uri: str, parts: list[tuple[Path, str]]) -> float:
    """Seconds for curl to PUT every part to the session URI."""
    started = time.perf_counter()
    for part, content_range in parts:
        command = ["curl", "-sS", "-f", "-o", "/dev/null", "-T", str(part), "-X", "PUT"]
        command += ["-H", "Content-Type: video/mp4", "-H", f"Content-Range: {content_range}"]
        subprocess.run([*command, "-H", "Expect:", uri], check=True)
    return time.perf_counter() - started


def client_once(client: YouTubeClient, uri: str, path: Path, chunk: int) -> float:
    """Seconds for send_video to stream the file through the session URI."""
    size = path.stat().st_size
    started = time.perf_counter()
    done = send_video(
        client, path, size, "video/mp4", session_uri=None, start_session=lambda: uri,
        on_session=lambda _uri: None, progress=lambda _offset: None, chunk_size=chunk,
    )  # fmt: skip
    if not done.done:
        raise RuntimeError("the upload did not finish")
    return time.perf_counter() - started


def main(argv: list[str]) -> None:
    size = int(argv[0]) * MIB if argv else 256 * MIB
    chunk = int(argv[1]) * MIB if len(argv) > 1 else 8 * MIB
    child, url = start_sandbox()
    try:
        with tempfile.TemporaryDirectory(prefix="yt-bench-") as tmp, requests.Session() as http:
            http.trust_env = False
            path = Path(tmp) / "video.bin"
            with open(path, "wb") as out:
                for _ in range(size // MIB):
                    out.write(os.urandom(MIB))
            parts = cut(path, Path(tmp), chunk)
            token = access_token(http, url)
            base = f"{url}/google"
            client = YouTubeClient(
                CLIENT_ID, SECRET, "", f"{base}/token", f"{base}/revoke", base, 120, lambda _e: None
            )
            client.transport.http.trust_env = False
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            mine, curls = [], []
            for _ in range(REPEAT):
                mine.append(client_once(client, client.start_upload(token, META, size, "video/mp4"),
                                        path, chunk))  # fmt: skip
                curls.append(curl_once(client.start_upload(token, META, size, "video/mp4"), parts))
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            growth = peak - rss / 1024
    finally:
        child.terminate()
        child.wait(10)
    speed = [size / MIB / s for s in mine]
    base_speed = [size / MIB / s for s in curls]
    print(f"YouTube resumable upload, {size // MIB} MiB in {chunk // MIB} MiB chunks, loopback")
    print(f"  client send_video  MiB/s  best {max(speed):.0f}  runs {_list(speed)}")
    print(f"  curl -T same chunks MiB/s best {max(base_speed):.0f}  runs {_list(base_speed)}")
    print(f"  ratio client/curl  {max(speed) / max(base_speed):.2f}")
    print(f"  client process peak RSS {peak:.0f} MiB, growth while uploading {growth:.1f} MiB")


def _list(values: list[float]) -> str:
    return "/".join(f"{v:.0f}" for v in values)


if __name__ == "__main__":
    main(sys.argv[1:])
