"""Meta rupload: the client's send loop against `curl -T` of the same file to the same sandbox.

The sandbox runs in its own process (`run_sandbox`), so the client and curl each talk to it
over loopback alone. Each run makes a fresh Instagram Reels container (not timed), then either
`send_file` streams the file to its rupload URI (asking the offset first, as a worker does), or
curl POSTs it with the same headers. Best of three interleaved runs, the ratio client/curl,
and this process's peak RSS growth (the body is streamed from disk, never held).

Run: .venv/bin/python bench/meta_upload.py [size_mib]   (default: 256)
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
from studio.platforms.meta.client import MetaClient  # noqa: E402
from studio.platforms.meta.resume import send_file  # noqa: E402

VERSION = "v27.0"
REDIRECT = "http://127.0.0.1:5000/meta/callback"
APP_ID, SECRET = "1234567890123456", "sandbox-meta-app-secret"
SCOPES = "pages_show_list,pages_read_engagement,instagram_basic,instagram_content_publish"
IG_ID = "17841400000000001"


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
    with (
        sandbox(meta={"processing_delay": 3600}) as url,
        tempfile.TemporaryDirectory(prefix="meta-bench-") as tmp,
        session() as http,
    ):
        path = random_file(Path(tmp) / "video.bin", size)
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

        result = race(
            lambda: client_once(client, new_uri(), token, path),
            lambda: curl_once(new_uri(), token, path),
        )
    title = f"Meta rupload, {size // MIB} MiB in one POST from offset 0, loopback"
    report(title, size, "client send_file", "curl -T same file", result)


if __name__ == "__main__":
    main(sys.argv[1:])
