"""Test helpers for the sandbox suite: a thin TikTok client, a receiver server, polling."""

from __future__ import annotations

import hashlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

from studio.sandbox.server import SandboxServer
from tests.helpers import wait_until

REDIRECT = "https://app.example.com/tiktok/callback"
ALL_SCOPES = "user.info.basic,user.info.profile,user.info.stats,video.upload,video.publish"
MIB = 1024 * 1024


class TikTok:
    """A thin test client for the sandbox (OAuth round trip and API calls)."""

    def __init__(self, server: SandboxServer, http: requests.Session) -> None:
        self.server = server
        self.http = http
        self.url = server.url

    def authorize(
        self,
        scope: str = ALL_SCOPES,
        creator: str = "acme",
        verifier: str | None = None,
        **extra: Any,
    ) -> dict[str, str]:
        """Force-approve and return the callback's query parameters (decoded)."""
        body: dict[str, Any] = {
            "client_key": "sandbox-client-key",
            "redirect_uri": REDIRECT,
            "scope": scope,
            "state": "st-1",
            "creator": creator,
            **extra,
        }
        if verifier:
            body["code_challenge"] = hashlib.sha256(verifier.encode()).hexdigest()
            body["code_challenge_method"] = "S256"
        resp = self.http.post(f"{self.url}/_sandbox/authorize", json=body)
        resp.raise_for_status()
        query = parse_qs(urlsplit(resp.json()["redirect_url"]).query)
        return {k: v[0] for k, v in query.items()}

    def token(self, **form: str) -> requests.Response:
        """POST the token endpoint with client credentials added."""
        data = {
            "client_key": "sandbox-client-key",
            "client_secret": "sandbox-client-secret",
            **form,
        }
        return self.http.post(f"{self.url}/v2/oauth/token/", data=data)

    def revoke(self, access_token: str) -> requests.Response:
        """POST the revoke endpoint with client credentials added."""
        data = {
            "client_key": "sandbox-client-key",
            "client_secret": "sandbox-client-secret",
            "token": access_token,
        }
        return self.http.post(f"{self.url}/v2/oauth/revoke/", data=data)

    def login(self, scope: str = ALL_SCOPES, creator: str = "acme") -> dict[str, Any]:
        """Authorize and exchange; returns the token JSON."""
        code = self.authorize(scope, creator)["code"]
        resp = self.token(grant_type="authorization_code", code=code, redirect_uri=REDIRECT)
        return resp.json()

    def api(
        self, path: str, token: str, json: Any = None, method: str = "POST", **kwargs: Any
    ) -> requests.Response:
        """Call a data API endpoint with a bearer token."""
        headers = {"Authorization": f"Bearer {token}"}
        return self.http.request(method, f"{self.url}{path}", json=json, headers=headers, **kwargs)

    def inbox_init(self, token: str, size: int, chunk: int, count: int) -> requests.Response:
        """FILE_UPLOAD inbox init."""
        info = {
            "source": "FILE_UPLOAD",
            "video_size": size,
            "chunk_size": chunk,
            "total_chunk_count": count,
        }
        return self.api("/v2/post/publish/inbox/video/init/", token, {"source_info": info})

    def put(
        self,
        upload_url: str,
        data: bytes,
        first: int,
        total: int,
        content_type: str = "video/mp4",
        **headers: str,
    ) -> requests.Response:
        """PUT one chunk."""
        hdrs = {
            "Content-Type": content_type,
            "Content-Range": f"bytes {first}-{first + len(data) - 1}/{total}",
            **headers,
        }
        return self.http.put(upload_url, data=data, headers=hdrs)

    def status(self, token: str, publish_id: str) -> requests.Response:
        """status/fetch."""
        return self.api("/v2/post/publish/status/fetch/", token, {"publish_id": publish_id})


class Receiver:
    """A loopback HTTP server recording POSTs and serving GET bodies from a dict."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.files: dict[str, tuple[int, bytes, dict[str, str]]] = {}
        self.post_statuses: list[int] = []
        self.event = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.received.append({"headers": dict(self.headers), "body": body})
                status = receiver.post_statuses.pop(0) if receiver.post_statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()
                receiver.event.set()

            def do_GET(self) -> None:  # noqa: N802
                status, body, headers = receiver.files.get(self.path, (404, b"", {}))
                self.send_response(status)
                for key, value in {"Content-Length": str(len(body)), **headers}.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def close(self) -> None:
        """Stop and release the socket."""
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


def wait_for(
    predicate: Any, timeout: float = 30.0, what: str = "the sandbox's timed status change"
) -> Any:
    """Poll until predicate() is truthy, returning its value (see tests.helpers.wait_until)."""
    return wait_until(predicate, timeout, what, every=0.02)
