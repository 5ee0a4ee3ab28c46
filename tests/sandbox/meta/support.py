"""A thin test client for the Meta sandbox: login, Graph calls with header tokens, rupload."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

from studio.sandbox.server import SandboxServer

REDIRECT = "https://app.example.com/meta/callback"
VERSION = "v27.0"
SCOPES = (
    "pages_show_list,pages_read_engagement,pages_manage_posts,instagram_basic,"
    "instagram_content_publish,instagram_manage_insights"
)
IG_ID = "17841400000000001"
PAGE_ID = "104000000000001"


class Meta:
    """Drives the sandbox like the app will: header tokens, appsecret_proof, rupload."""

    def __init__(self, server: SandboxServer, http: requests.Session) -> None:
        self.server = server
        self.http = http
        self.handle = server.meta
        self.graph = f"{server.meta.graph}/{VERSION}"

    def authorize(self, person: str = "dana", **extra: Any) -> dict[str, str]:
        """Force the dialog's answer; the callback's query, decoded."""
        body = {"redirect_uri": REDIRECT, "state": "st-1", "scope": SCOPES, "person": person}
        resp = self.http.post(f"{self.server.url}/_sandbox/meta/authorize", json={**body, **extra})
        assert resp.status_code == 200, resp.text
        query = parse_qs(urlsplit(resp.json()["redirect_url"]).query)
        return {k: v[0] for k, v in query.items()}

    def exchange(self, **form: str) -> requests.Response:
        """POST oauth/access_token with the app's credentials (form body, never the URL)."""
        cfg = self.handle.state.config
        data = {"client_id": cfg.app_id, "client_secret": cfg.app_secret, **form}
        return self.http.post(f"{self.graph}/oauth/access_token", data=data)

    def short_token(self, person: str = "dana") -> str:
        """Login and code exchange."""
        code = self.authorize(person)["code"]
        resp = self.exchange(code=code, redirect_uri=REDIRECT)
        assert resp.status_code == 200, resp.text
        return str(resp.json()["access_token"])

    def long_token(self, person: str = "dana") -> str:
        """Login, code exchange, then fb_exchange_token."""
        resp = self.exchange(
            grant_type="fb_exchange_token", fb_exchange_token=self.short_token(person)
        )
        assert resp.status_code == 200, resp.text
        return str(resp.json()["access_token"])

    def call(
        self,
        method: str,
        path: str,
        token: str | None,
        proof: bool = True,
        data: dict[str, Any] | None = None,
        **params: Any,
    ) -> requests.Response:
        """A Graph call with `Authorization: Bearer` and appsecret_proof."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        if proof and token:
            params["appsecret_proof"] = self.handle.proof(token)
        url = f"{self.graph}/{path.lstrip('/')}"
        return self.http.request(method, url, headers=headers, params=params, data=data)

    def page_token(self, user_token: str, page_id: str = PAGE_ID) -> str:
        """The Page token from /me/accounts."""
        resp = self.call("GET", "me/accounts", user_token)
        assert resp.status_code == 200, resp.text
        return next(p["access_token"] for p in resp.json()["data"] if p["id"] == page_id)

    def container(self, token: str, **params: str) -> requests.Response:
        """POST /{ig-user-id}/media (REELS, resumable unless told otherwise)."""
        data = {"media_type": "REELS", "upload_type": "resumable", **params}
        return self.call("POST", f"{IG_ID}/media", token, data=data)

    def upload(
        self, uri: str, token: str, body: bytes, offset: int = 0, size: int | None = None
    ) -> requests.Response:
        """POST the bytes from `offset` to a rupload URL."""
        headers = {
            "Authorization": f"OAuth {token}",
            "offset": str(offset),
            "file_size": str(size if size is not None else offset + len(body)),
        }
        return self.http.post(uri, data=body, headers=headers)

    def offset(self, uri: str, token: str) -> int:
        """GET the rupload URL: the bytes received so far."""
        resp = self.http.get(uri, headers={"Authorization": f"OAuth {token}"})
        assert resp.status_code == 200, resp.text
        return int(resp.json()["offset"])

    def status_code(self, token: str, container_id: str) -> str:
        """GET /{container-id}?fields=status_code."""
        resp = self.call("GET", container_id, token, fields="status_code")
        assert resp.status_code == 200, resp.text
        return str(resp.json()["status_code"])

    def publish(self, token: str, container_id: str) -> requests.Response:
        """POST /{ig-user-id}/media_publish."""
        return self.call(
            "POST", f"{IG_ID}/media_publish", token, data={"creation_id": container_id}
        )


def error(resp: requests.Response) -> tuple[int, int | None]:
    """(code, error_subcode) of a Graph error answer."""
    body = resp.json()["error"]
    assert {"message", "type", "code", "fbtrace_id"} <= set(body), body
    return body["code"], body.get("error_subcode")
