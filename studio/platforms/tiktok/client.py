"""The one place that speaks HTTP to TikTok (Login Kit, user info, Content Posting, uploads).

No Flask here: configuration is passed in, and every exchange is reported to `hook` (the
audit recorder) before the call returns or raises. If the hook raises, that propagates.
"""

from __future__ import annotations

import json
import os
from typing import Any
from urllib.parse import urlencode

import requests

from studio.platforms.tiktok.errors import (
    UploadRejected,
    api_error,
    oauth_error,
)
from studio.platforms.tiktok.results import (
    ChunkResult,
    CreatorInfo,
    InitResult,
    PublishStatus,
    TokenSet,
    VideoPage,
)
from studio.platforms.tiktok.wire import (
    FileWindow,
    annotate,
    detail,
    init_result,
    log_id_of,
)
from studio.transport import Exchange, Hook, PlatformClient, Transport, json_object

__all__ = [
    "ChunkResult",
    "CreatorInfo",
    "InitResult",
    "PublishStatus",
    "TikTokClient",
    "TokenSet",
    "VideoPage",
]

JSON_TYPE = "application/json; charset=UTF-8"
FORM_TYPE = "application/x-www-form-urlencoded"
MAX_QUERY_IDS = 20  # video/query's cap


class TikTokClient(PlatformClient):
    """Typed calls to TikTok's Login Kit and Content Posting APIs over one requests Session."""

    shown = ("client_key", "api_base")

    def __init__(
        self,
        client_key: str,
        client_secret: str,
        api_base: str,
        auth_url: str,
        timeout: float,
        hook: Hook,
        *,
        session: requests.Session | None = None,
    ) -> None:
        self.client_key = client_key
        self._client_secret = client_secret
        self.api_base = api_base.rstrip("/")
        self.auth_url = auth_url
        self.timeout = float(timeout)
        self.transport = Transport("tiktok", timeout, hook, session=session, annotate=annotate)

    def authorize_url(
        self,
        redirect_uri: str,
        scopes: list[str],
        state: str,
        code_challenge: str,
        *,
        extra: dict[str, str] | None = None,
    ) -> str:
        """The consent-page URL (TikTok names the client `client_key`; scopes comma-separated)."""
        params = {
            "client_key": self.client_key,
            "response_type": "code",
            "scope": ",".join(scopes),
            "redirect_uri": redirect_uri,
            "state": state,
            "code_challenge": code_challenge,
            "code_challenge_method": "S256",
            **(extra or {}),
        }
        sep = "&" if "?" in self.auth_url else "?"
        return f"{self.auth_url}{sep}{urlencode(params)}"

    def exchange_code(self, code: str, redirect_uri: str, code_verifier: str) -> TokenSet:
        """Trade an authorization code (already URL-decoded) for a token pair."""
        form = {
            "client_key": self.client_key,
            "client_secret": self._client_secret,
            "code": code,
            "grant_type": "authorization_code",
            "redirect_uri": redirect_uri,
            "code_verifier": code_verifier,
        }
        return TokenSet.from_body(self._oauth("/v2/oauth/token/", form))

    def refresh(self, refresh_token: str, *, timeout: float | None = None) -> TokenSet:
        """A new token pair; the old refresh token stops working once this answers."""
        form = {
            "client_key": self.client_key,
            "client_secret": self._client_secret,
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
        }
        return TokenSet.from_body(self._oauth("/v2/oauth/token/", form, timeout=timeout))

    def revoke(self, access_token: str) -> None:
        """Revoke the grant behind an access token (the app leaves the user's connected apps)."""
        form = {
            "client_key": self.client_key,
            "client_secret": self._client_secret,
            "token": access_token,
        }
        self._oauth("/v2/oauth/revoke/", form, require_token=False)

    def user_info(self, access_token: str, fields: list[str]) -> dict[str, Any]:
        """The `user` object with exactly the requested fields."""
        data = self._api("GET", "/v2/user/info/", access_token, params={"fields": ",".join(fields)})
        user = data.get("user")
        return user if isinstance(user, dict) else {}

    def query_videos(self, access_token: str, video_ids: list[str], fields: list[str]) -> VideoPage:
        """video/query (scope video.list): up to 20 of the user's own public videos."""
        if not 1 <= len(video_ids) <= MAX_QUERY_IDS:
            raise ValueError(f"video/query takes 1 to {MAX_QUERY_IDS} ids")
        data = self._api(
            "POST",
            "/v2/video/query/",
            access_token,
            body={"filters": {"video_ids": video_ids}},
            params={"fields": ",".join(fields)},
        )
        return VideoPage.from_data(data)

    def list_videos(
        self, access_token: str, fields: list[str], *, cursor: int | None = None, count: int = 20
    ) -> VideoPage:
        """video/list (scope video.list): the user's public videos, newest first."""
        body: dict[str, Any] = {"max_count": count}
        if cursor is not None:
            body["cursor"] = cursor
        data = self._api(
            "POST", "/v2/video/list/", access_token, body=body, params={"fields": ",".join(fields)}
        )
        return VideoPage.from_data(data)

    def creator_info(self, access_token: str) -> CreatorInfo:
        """creator_info/query (needs video.publish); spam/cap errors arrive with HTTP 200."""
        data = self._api("POST", "/v2/post/publish/creator_info/query/", access_token, body=None)
        return CreatorInfo.from_data(data)

    def init_inbox_video(self, access_token: str, source_info: dict[str, Any]) -> InitResult:
        """Start an inbox (draft) upload; the body carries only source_info."""
        data = self._api(
            "POST",
            "/v2/post/publish/inbox/video/init/",
            access_token,
            body={"source_info": source_info},
        )
        return init_result(data)

    def init_direct_video(
        self, access_token: str, post_info: dict[str, Any], source_info: dict[str, Any]
    ) -> InitResult:
        """Start a Direct Post (needs video.publish and the creator's explicit consent)."""
        data = self._api(
            "POST",
            "/v2/post/publish/video/init/",
            access_token,
            body={"post_info": post_info, "source_info": source_info},
        )
        return init_result(data)

    def fetch_status(self, access_token: str, publish_id: str) -> PublishStatus:
        """status/fetch for one publish."""
        data = self._api(
            "POST", "/v2/post/publish/status/fetch/", access_token, body={"publish_id": publish_id}
        )
        return PublishStatus.from_data(data)

    def cancel(self, access_token: str, publish_id: str) -> None:
        """Best-effort cancel of a pending publish."""
        self._api("POST", "/v2/post/publish/cancel/", access_token, body={"publish_id": publish_id})

    def upload_chunk(
        self,
        upload_url: str,
        path: str | os.PathLike[str],
        first_byte: int,
        last_byte: int,
        total: int,
        content_type: str,
    ) -> ChunkResult:
        """PUT bytes first..last (inclusive) of the file, streamed from disk."""
        window = FileWindow(path, first_byte, last_byte)
        headers = {
            "Content-Type": content_type,
            "Content-Length": str(len(window)),
            "Content-Range": f"bytes {first_byte}-{last_byte}/{total}",
        }
        exchange = Exchange("tiktok", "upload", "PUT", upload_url, request_body_size=len(window))

        def parse(response: requests.Response) -> ChunkResult:
            if response.status_code in (200, 201, 206):
                return ChunkResult(response.status_code, response.headers.get("Content-Range"))
            if response.status_code >= 400:
                raise UploadRejected(response.status_code, detail(response))
            raise UploadRejected(response.status_code, "unexpected answer to a chunk PUT")

        return self.transport.send(
            exchange, parse, "PUT", upload_url, headers=headers, data=window, log_body=False
        )

    def _oauth(
        self,
        path: str,
        form: dict[str, str],
        *,
        timeout: float | None = None,
        require_token: bool = True,
    ) -> dict[str, Any]:
        """POST a Login Kit form; errors come flat, sometimes with HTTP 200."""
        url = self.api_base + path
        headers = {"Content-Type": FORM_TYPE, "Cache-Control": "no-cache"}
        exchange = Exchange("tiktok", "oauth", "POST", url, request_body=dict(form))

        def parse(response: requests.Response) -> dict[str, Any]:
            body = json_object(response)
            error = body.get("error")
            if isinstance(error, dict):  # some failures use the data-API shape
                code = str(error.get("code") or "")
                if code and code != "ok":
                    exchange.code = code
                    raise oauth_error(
                        code, str(error.get("message") or ""), log_id_of(body), response.status_code
                    )
            elif error:
                exchange.code = str(error)
                raise oauth_error(
                    str(error),
                    str(body.get("error_description") or ""),
                    log_id_of(body),
                    response.status_code,
                )
            if response.status_code >= 300:
                name = "server_error" if response.status_code >= 500 else "invalid_request"
                raise oauth_error(name, detail(response), log_id_of(body), response.status_code)
            if require_token and not body.get("access_token"):
                raise oauth_error("invalid_response", "no access_token in the answer")
            return body

        return self.transport.send(
            exchange, parse, "POST", url, headers=headers, data=form, timeout=timeout
        )

    def _api(
        self,
        method: str,
        path: str,
        access_token: str,
        *,
        body: dict[str, Any] | None = None,
        params: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """A data-API call: bearer token, JSON envelope, `error.code` checked on any status."""
        url = self.api_base + path
        headers = {"Authorization": f"Bearer {access_token}"}
        data = None
        if method == "POST":
            headers["Content-Type"] = JSON_TYPE
            data = json.dumps(body).encode() if body is not None else None
        shown = f"{url}?{urlencode(params)}" if params else url
        exchange = Exchange("tiktok", "api", method, shown, request_body=body)

        def parse(response: requests.Response) -> dict[str, Any]:
            envelope = json_object(response)
            found = envelope.get("error")
            error: dict[str, Any] = found if isinstance(found, dict) else {}
            code = str(error.get("code") or "")
            log_id = error.get("log_id") or envelope.get("log_id")
            exchange.code = code or None
            if (code and code != "ok") or response.status_code >= 300:
                raise api_error(
                    code or f"http_{response.status_code}",
                    str(error.get("message") or detail(response)),
                    str(log_id) if log_id else None,
                    response.status_code,
                )
            payload = envelope.get("data")
            return payload if isinstance(payload, dict) else {}

        return self.transport.send(
            exchange, parse, method, url, headers=headers, data=data, params=params
        )
