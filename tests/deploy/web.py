"""A staff member or a member of the public using a deployed Studio over real HTTP.

``requests`` sessions with CSRF tokens parsed from the pages, as a browser without JavaScript
would send them. Shared by the deployment tests and ``bench/load.py``.
"""

from __future__ import annotations

import html
import re
import time
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import requests

_CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
_NONCE = re.compile(r'name="nonce" type="hidden" value="([^"]+)"')
_HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')
_GRANTED = re.compile(
    r'<input type="checkbox" name="granted" value="([^"]+)" checked(\s*disabled)?'
)
_FORM_ACTION = re.compile(r'<form method="post" action="([^"]+)">')
_ACCOUNT = re.compile(r'name="account_id"[^>]*>.*?<option[^>]*value="(\d+)"', re.S)


class FlowError(AssertionError):
    """A step of a flow got an answer it did not expect."""


def csrf_from(page: str) -> str:
    """The CSRF token of the first form on ``page``."""
    match = _CSRF.search(page)
    if not match:
        raise FlowError("no csrf token in the page")
    return match.group(1)


def http_session() -> requests.Session:
    """A session that ignores proxy variables (loopback only)."""
    http = requests.Session()
    http.trust_env = False
    return http


class Visitor:
    """One person with their own cookie jar; ``headers`` go on every request."""

    def __init__(self, base: str, headers: dict[str, str] | None = None) -> None:
        self.base = base
        self.http = http_session()
        self.http.headers.update(headers or {})

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.http.get(urljoin(self.base, path), timeout=60, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.http.post(urljoin(self.base, path), timeout=60, **kwargs)

    def form_post(self, page_path: str, path: str, data: dict[str, Any]) -> requests.Response:
        """GET ``page_path``, then POST ``data`` to ``path`` with that page's CSRF token."""
        page = self.get(page_path)
        if page.status_code != 200:
            raise FlowError(f"GET {page_path} answered {page.status_code}")
        return self.post(
            path, data={"csrf_token": csrf_from(page.text), **data}, allow_redirects=False
        )

    def close(self) -> None:
        self.http.close()


class Staff(Visitor):
    """A signed-in staff member driving the dashboard."""

    def login(self, email: str, password: str) -> requests.Response:
        return self.form_post("/auth/login", "/auth/login", {"email": email, "password": password})

    def sign_in(self, email: str, password: str) -> Staff:
        answer = self.login(email, password)
        if answer.status_code != 302:
            raise FlowError(f"sign-in of {email} answered {answer.status_code}")
        return self

    def connect_tiktok(self, sandbox_url: str, creator: str = "acme") -> requests.Response:
        """Connect → the sandbox's consent page (HTML form) → approve → our callback."""
        started = self.form_post("/tiktok/", "/tiktok/connect", {})
        if started.status_code != 303:
            raise FlowError(f"connect answered {started.status_code}")
        consent = self.http.get(started.headers["Location"], timeout=30)
        if consent.status_code != 200 or "Approve" not in consent.text:
            raise FlowError(f"consent page answered {consent.status_code}")
        fields = {name: html.unescape(value) for name, value in _HIDDEN.findall(consent.text)}
        action = _FORM_ACTION.search(consent.text)
        if not action:
            raise FlowError("no form on the consent page")
        # What a browser submits: hidden fields and the ticked boxes that are not disabled.
        granted = [scope for scope, disabled in _GRANTED.findall(consent.text) if not disabled]
        decided = self.http.post(
            urljoin(sandbox_url, html.unescape(action.group(1))),
            data={**fields, "granted": granted, "creator": creator, "decision": "approve"},
            allow_redirects=False,
            timeout=30,
        )
        if decided.status_code != 302:
            raise FlowError(f"consent decision answered {decided.status_code}")
        return self.http.get(decided.headers["Location"], allow_redirects=False, timeout=60)

    def upload(self, path: Path, name: str | None = None) -> dict[str, Any]:
        """The resumable upload API: create, then PATCH parts at the server's offsets."""
        token = csrf_from(self.get("/videos/upload").text)
        headers = {"X-CSRFToken": token}
        data = path.read_bytes()
        created = self.post(
            "/videos/uploads",
            json={"length": len(data), "name": name or path.name},
            headers=headers,
        )
        if created.status_code != 201:
            raise FlowError(f"upload create answered {created.status_code}: {created.text}")
        info = created.json()
        offset, step = 0, int(info["part_bytes"])
        while True:
            part = data[offset : offset + step]
            answer = self.http.patch(
                urljoin(self.base, info["url"]),
                data=part,
                headers={
                    **headers,
                    "Upload-Offset": str(offset),
                    "Content-Type": "application/offset+octet-stream",
                },
                timeout=120,
            )
            if answer.status_code == 200:
                return answer.json()
            if answer.status_code != 204:
                raise FlowError(f"upload part answered {answer.status_code}: {answer.text}")
            offset = int(answer.headers["Upload-Offset"])

    def send_draft(
        self, video_id: int, account_id: int | None = None, caption: str = "Kettle"
    ) -> int:
        """Prepare → preview → consent → send; returns the new post's id."""
        page = self.get(f"/posts/new?video_id={video_id}")
        if page.status_code != 200:
            raise FlowError(f"prepare page answered {page.status_code}")
        if account_id is None:
            match = _ACCOUNT.search(page.text)
            if not match:
                raise FlowError("no TikTok account offered on the prepare page")
            account_id = int(match.group(1))
        fields = {
            "video_id": video_id,
            "account_id": account_id,
            "mode": "draft",
            "caption": caption,
            "hashtags": "kitchen",
        }
        preview = self.post("/posts/new", data={"csrf_token": csrf_from(page.text), **fields})
        if preview.status_code != 200 or not _NONCE.search(preview.text):
            raise FlowError(f"preview answered {preview.status_code}")
        nonce = _NONCE.search(preview.text).group(1)  # type: ignore[union-attr]
        sent = self.post(
            "/posts/send",
            data={"csrf_token": csrf_from(preview.text), "nonce": nonce, "consent": "y", **fields},
            allow_redirects=False,
        )
        if sent.status_code != 302 or "/posts/" not in sent.headers.get("Location", ""):
            raise FlowError(f"send answered {sent.status_code}")
        return int(sent.headers["Location"].rstrip("/").rsplit("/", 1)[1])

    def wait_terminal(self, post_id: int, timeout: float = 90.0) -> dict[str, Any]:
        """Poll the post's status JSON until its (only) delivery is terminal (or fail after
        ``timeout``); returns that delivery's status."""
        deadline = time.monotonic() + timeout
        status: dict[str, Any] = {}
        while time.monotonic() < deadline:
            (status,) = self.get(f"/posts/{post_id}/status.json").json()["deliveries"]
            if status.get("terminal"):
                return status
            time.sleep(0.3)
        raise FlowError(f"post {post_id} not terminal after {timeout} s: {status}")
