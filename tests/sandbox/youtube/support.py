"""A thin Google/YouTube test client for the sandbox: consent, tokens, API, resumable upload."""

from __future__ import annotations

import base64
import hashlib
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

from studio.sandbox.server import SandboxServer
from studio.sandbox.youtube.config import READONLY_SCOPE, UPLOAD_SCOPE

REDIRECT = "https://app.example.com/youtube/callback"
SCOPES = f"{UPLOAD_SCOPE} {READONLY_SCOPE}"
CLIENT_ID = "sandbox-google-client.apps.googleusercontent.com"
CLIENT_SECRET = "sandbox-google-client-secret"
VERIFIER = "Verifier-0123456789_abcdefghijklmnopqrstuvwxyz~."
UNIT = 256 * 1024
UPLOAD = "/google/upload/youtube/v3/videos"
PARTS = "snippet,status,paidProductPlacementDetails"


def challenge(verifier: str = VERIFIER) -> str:
    """RFC 7636 S256 challenge."""
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def metadata(**snippet: Any) -> dict[str, Any]:
    """A valid video resource; keyword arguments override snippet fields."""
    return {
        "snippet": {"title": "Product video", "description": "Short.", "categoryId": "22"}
        | snippet,
        "status": {
            "privacyStatus": "unlisted",
            "selfDeclaredMadeForKids": False,
            "containsSyntheticMedia": False,
        },
        "paidProductPlacementDetails": {"hasPaidProductPlacement": False},
    }


def reason(resp: requests.Response) -> str:
    """errors[0].reason of a Google error body."""
    return str(resp.json()["error"]["errors"][0]["reason"])


class Google:
    """Test client bound to a running sandbox."""

    def __init__(self, server: SandboxServer, http: requests.Session) -> None:
        self.server = server
        self.http = http
        self.url = server.url
        self.state = server.youtube

    def control(self, path: str, body: Any = None) -> Any:
        """POST a control endpoint and return its JSON."""
        resp = self.http.post(f"{self.url}/_sandbox/youtube/{path}", json=body or {})
        resp.raise_for_status()
        return resp.json()

    def authorize(self, channel: str = "brand", **extra: Any) -> dict[str, str]:
        """Force-allow with PKCE and offline access; the callback's query."""
        body = {
            "client_id": CLIENT_ID,
            "redirect_uri": REDIRECT,
            "scope": SCOPES,
            "state": "st-1",
            "access_type": "offline",
            "code_challenge": challenge(),
            "code_challenge_method": "S256",
            "channel": channel,
            **extra,
        }
        query = parse_qs(urlsplit(self.control("authorize", body)["redirect_url"]).query)
        return {k: v[0] for k, v in query.items()}

    def token(self, **form: str) -> requests.Response:
        """POST the token endpoint with client credentials."""
        data = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, **form}
        return self.http.post(f"{self.url}/google/token", data=data)

    def exchange(self, code: str, verifier: str = VERIFIER) -> requests.Response:
        """authorization_code grant."""
        return self.token(
            grant_type="authorization_code",
            code=code,
            redirect_uri=REDIRECT,
            code_verifier=verifier,
        )

    def login(self, channel: str = "brand", **extra: Any) -> dict[str, Any]:
        """Consent and exchange; the token JSON."""
        resp = self.exchange(self.authorize(channel, **extra)["code"])
        assert resp.status_code == 200, resp.text
        return dict(resp.json())

    def refresh(self, refresh_token: str) -> requests.Response:
        """refresh_token grant."""
        return self.token(grant_type="refresh_token", refresh_token=refresh_token)

    def get(self, path: str, token: str, **params: str) -> requests.Response:
        """GET a Data API path with a bearer token."""
        headers = {"Authorization": f"Bearer {token}"}
        return self.http.get(f"{self.url}/google{path}", params=params, headers=headers)

    def start(
        self,
        token: str,
        size: int,
        body: Any = None,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> requests.Response:
        """Open a resumable session (videos.insert)."""
        query = {"uploadType": "resumable", "part": PARTS, "notifySubscribers": "false"}
        hdrs = {
            "Authorization": f"Bearer {token}",
            "X-Upload-Content-Length": str(size),
            "X-Upload-Content-Type": "video/mp4",
        }
        return self.http.post(
            f"{self.url}{UPLOAD}",
            params={**query, **(params or {})},
            json=metadata() if body is None else body,
            headers={**hdrs, **(headers or {})},
        )

    def session(self, token: str, size: int) -> str:
        """A new session URI."""
        resp = self.start(token, size)
        assert resp.status_code == 200, resp.text
        return str(resp.headers["Location"])

    def put(
        self, uri: str, data: bytes, first: int, total: int, **headers: str
    ) -> requests.Response:
        """PUT one chunk (never follows the 308)."""
        hdrs = {
            "Content-Type": "video/mp4",
            "Content-Range": f"bytes {first}-{first + len(data) - 1}/{total}",
            **headers,
        }
        return self.http.put(uri, data=data, headers=hdrs, allow_redirects=False)

    def ask(self, uri: str, total: int) -> requests.Response:
        """The status query: where does the session stand?"""
        headers = {"Content-Range": f"bytes */{total}", "Content-Length": "0"}
        return self.http.put(uri, headers=headers, allow_redirects=False)

    def upload(self, token: str, data: bytes, chunk: int = 2 * UNIT) -> requests.Response:
        """A whole upload in chunks; the final answer."""
        uri = self.session(token, len(data))
        first = 0
        while True:
            resp = self.put(uri, data[first : first + chunk], first, len(data))
            if resp.status_code != 308:
                return resp
            first = int(resp.headers["Range"].split("-")[1]) + 1


def stored(resp: requests.Response) -> int:
    """Bytes stored according to a 308's Range header (0 without one)."""
    assert resp.status_code == 308, resp.text
    header = resp.headers.get("Range")
    return int(header.split("-")[1]) + 1 if header else 0
