"""YouTube resumable upload: the client's send loop against `curl -T` of the same chunks.

The sandbox runs in its own process (`run_sandbox`), so the client and curl each talk to it
over loopback alone. Each run opens a fresh session (its time is not counted), then either
`send_video` streams the file in `chunk` pieces, or curl PUTs the same pieces (cut to files
before timing) with the same Content-Range headers. Best of three interleaved runs, the
ratio client/curl, and this process's peak RSS growth (chunks are streamed, never held).

Run: .venv/bin/python bench/youtube_upload.py [size_mib [chunk_mib]]   (default: 256 8)
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import requests  # noqa: E402

from bench.loopback import MIB, race, random_file, report, sandbox, session  # noqa: E402
from studio.platforms.youtube.client import YouTubeClient  # noqa: E402
from studio.platforms.youtube.resume import send_video  # noqa: E402
from studio.platforms.youtube.rules import VideoMetadata  # noqa: E402

REDIRECT = "http://127.0.0.1:5000/youtube/callback"
CLIENT_ID = "sandbox-google-client.apps.googleusercontent.com"
SECRET = "sandbox-google-client-secret"
SCOPES = "https://www.googleapis.com/auth/youtube.upload"
META = VideoMetadata("Bench", "", (), "22", "private", False, False, False, False)
SANDBOX = {"redirect_uris": [REDIRECT], "reject_duplicates": False, "upload_calls_per_day": 100000}


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
    with (
        sandbox(youtube=SANDBOX) as url,
        tempfile.TemporaryDirectory(prefix="yt-bench-") as tmp,
        session() as http,
    ):
        path = random_file(Path(tmp) / "video.bin", size)
        parts = cut(path, Path(tmp), chunk)
        token = access_token(http, url)
        base = f"{url}/google"
        client = YouTubeClient(
            CLIENT_ID, SECRET, "", f"{base}/token", f"{base}/revoke", base, 120, lambda _e: None
        )
        client.transport.http.trust_env = False

        def new_uri() -> str:
            return client.start_upload(token, META, size, "video/mp4")

        result = race(
            lambda: client_once(client, new_uri(), path, chunk),
            lambda: curl_once(new_uri(), parts),
        )
    title = f"YouTube resumable upload, {size // MIB} MiB in {chunk // MIB} MiB chunks, loopback"
    report(title, size, "client send_video", "curl -T same chunks", result)


if __name__ == "__main__":
    main(sys.argv[1:])
