"""The one place that speaks HTTP to Google for YouTube: OAuth, channels, resumable uploads.

No Flask here: configuration is passed in, and every exchange is reported to `hook` (the
audit recorder) before the call returns or raises. Tokens travel only in headers and form
bodies, never in URLs. The resumable session URI is a bearer capability: it is never put in
an exception message, and the audit redactor masks its `upload_id`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import partial
from typing import IO, Any, TypeVar
from urllib.parse import urlencode

import requests

from studio.platforms.figures import VideoFigures
from studio.platforms.streams import FileSlice
from studio.platforms.youtube import rules
from studio.platforms.youtube.errors import NoChannel, OAuthError, TransportError, oauth_error
from studio.platforms.youtube.results import (
    Channel,
    ChannelStatistics,
    TokenSet,
    UploadProgress,
    VideoStatus,
    video_figures,
)
from studio.platforms.youtube.wire import (
    UNIT,
    annotate,
    google_error,
    hide_session,
    session_answer,
)
from studio.transport import Exchange, Hook, InvalidResponse, PlatformClient, Transport, json_object

__all__ = ["Channel", "TokenSet", "UploadProgress", "VideoStatus", "YouTubeClient"]

JSON_TYPE = "application/json; charset=UTF-8"
FORM_TYPE = "application/x-www-form-urlencoded"
UPLOAD_PATH = "/upload/youtube/v3/videos"
MAX_IDS = 50  # videos.list's cap on ids per call
T = TypeVar("T")


class YouTubeClient(PlatformClient):
    """Typed calls to Google OAuth 2.0 and the YouTube Data API v3 over one requests Session."""

    shown = ("client_id", "api_base")

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        auth_url: str,
        token_url: str,
        revoke_url: str,
        api_base: str,
        timeout: float,
        hook: Hook,
        *,
        session: requests.Session | None = None,
    ) -> None:
        self.client_id = client_id
        self._client_secret = client_secret
        self.auth_url = auth_url
        self.token_url = token_url
        self.revoke_url = revoke_url
        self.api_base = api_base.rstrip("/")
        self.transport = Transport("youtube", timeout, hook, session=session, annotate=annotate)

    def authorize_url(
        self,
        redirect_uri: str,
        scopes: list[str],
        state: str,
        code_challenge: str,
        *,
        force_consent: bool = False,
    ) -> str:
        """The consent-page URL: offline access, PKCE S256, space-separated scopes.

        `force_consent` adds `prompt=consent`, which makes Google send a refresh token again;
        use it only for a reconnect (docs/platforms/youtube.md, OAuth 2.0).
        """
        params = {
            "client_id": self.client_id,
            "redirect_uri": redirect_uri,
            "response_type": "code",
            "scope": " ".join(scopes),
            "state": state,
            "access_type": "offline",
            "code_challenge": code_challenge,
            "code_challenge_method": "S256",
        }
        if force_consent:
            params["prompt"] = "consent"
        sep = "&" if "?" in self.auth_url else "?"
        return f"{self.auth_url}{sep}{urlencode(params)}"

    def exchange_code(self, code: str, redirect_uri: str, verifier: str) -> TokenSet:
        """Trade a code for tokens; `refresh_token` is "" when Google sent none (keep the old)."""
        form = {
            "code": code,
            "client_id": self.client_id,
            "client_secret": self._client_secret,
            "redirect_uri": redirect_uri,
            "grant_type": "authorization_code",
            "code_verifier": verifier,
        }
        return TokenSet.from_body(self._oauth(self.token_url, form))

    def refresh(self, refresh_token: str, *, timeout: float | None = None) -> TokenSet:
        """A new access token; the newest refresh token (Google's new one, else this one)."""
        form = {
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
            "client_id": self.client_id,
            "client_secret": self._client_secret,
        }
        body = self._oauth(self.token_url, form, timeout=timeout)
        return TokenSet.from_body(body, previous_refresh=refresh_token)

    def revoke(self, token: str) -> bool:
        """End the whole grant (access or refresh token); False if Google says it was dead."""
        try:
            self._oauth(self.revoke_url, {"token": token}, require_token=False)
        except OAuthError as exc:
            if exc.error == "invalid_token":
                return False
            raise
        return True

    def my_channel(self, access_token: str) -> Channel:
        """The channel of the connected account; NoChannel when the account has none."""
        params = {"part": "snippet", "mine": "true"}

        def parse(response: requests.Response) -> Channel:
            items = self._items(response)
            if not items:
                raise NoChannel("noChannel", "channels.list answered no items", 200)
            return Channel.from_item(items[0])

        return self._read("/youtube/v3/channels", access_token, params, parse)

    def video_status(self, access_token: str, video_id: str) -> VideoStatus:
        """uploadStatus and processing of one video (upload_status "missing" if not listed)."""
        params = {"part": "status,processingDetails", "id": video_id}

        def parse(response: requests.Response) -> VideoStatus:
            found = [i for i in self._items(response) if i.get("id") == video_id]
            return VideoStatus.from_item(video_id, found[0] if found else None)

        return self._read("/youtube/v3/videos", access_token, params, parse)

    def channel_statistics(self, access_token: str) -> ChannelStatistics:
        """The connected channel's statistics and uploads playlist (1 unit)."""
        params = {"part": "statistics,contentDetails", "mine": "true"}

        def parse(response: requests.Response) -> ChannelStatistics:
            items = self._items(response)
            if not items:
                raise NoChannel("noChannel", "channels.list answered no items", 200)
            return ChannelStatistics.from_item(items[0])

        return self._read("/youtube/v3/channels", access_token, params, parse)

    def playlist_video_ids(
        self, access_token: str, playlist_id: str, *, page_token: str | None = None
    ) -> tuple[list[str], str | None]:
        """One page (50) of a playlist's video ids, newest first for uploads (1 unit)."""
        params = {"part": "contentDetails", "playlistId": playlist_id, "maxResults": "50"}
        if page_token:
            params["pageToken"] = page_token

        def parse(response: requests.Response) -> tuple[list[str], str | None]:
            details = [i.get("contentDetails") or {} for i in self._items(response)]
            ids = [str(d["videoId"]) for d in details if d.get("videoId")]
            return ids, json_object(response).get("nextPageToken") or None

        return self._read("/youtube/v3/playlistItems", access_token, params, parse)

    def video_statistics(self, access_token: str, video_ids: list[str]) -> list[VideoFigures]:
        """Statistics of up to 50 videos in one call (1 unit); unknown ids are absent."""
        if not 1 <= len(video_ids) <= MAX_IDS:
            raise ValueError(f"videos.list takes 1 to {MAX_IDS} ids")
        params = {"part": "statistics,snippet", "id": ",".join(video_ids)}

        def parse(response: requests.Response) -> list[VideoFigures]:
            return [video_figures(i) for i in self._items(response) if i.get("id")]

        return self._read("/youtube/v3/videos", access_token, params, parse)

    def start_upload(
        self, access_token: str, metadata: rules.VideoMetadata, size: int, content_type: str
    ) -> str:
        """Check the details, open a resumable session and return its URI (keep it secret)."""
        rules.check(metadata)
        if size <= 0:
            raise ValueError("a video of at least one byte is required")
        query = {
            "uploadType": "resumable",
            "part": ",".join(rules.PARTS),
            "notifySubscribers": "true" if metadata.notify_subscribers else "false",
        }
        url = f"{self.api_base}{UPLOAD_PATH}?{urlencode(query)}"
        body = rules.video_resource(metadata)
        headers = {
            "Authorization": f"Bearer {access_token}",
            "Content-Type": JSON_TYPE,
            "X-Upload-Content-Length": str(size),
            "X-Upload-Content-Type": content_type,
        }
        exchange = Exchange("youtube", "api", "POST", url, request_body=body)

        def parse(response: requests.Response) -> str:
            if response.status_code != 200:
                raise google_error(response)
            return str(response.headers["Location"])

        data = json.dumps(body).encode()
        return self.transport.send(
            exchange, parse, "POST", url, headers=headers, data=data, allow_redirects=False
        )

    def upload_chunk(
        self,
        session_uri: str,
        file: IO[bytes],
        offset: int,
        length: int,
        total: int,
        *,
        content_type: str,
    ) -> UploadProgress:
        """PUT `length` bytes of the open file from `offset`, streamed; where the session stands.

        Every chunk but the last must be a multiple of 256 KiB. Resume from the returned
        offset (Google's Range header), never from the client's own count.
        """
        last = offset + length - 1
        if length <= 0 or offset < 0 or last >= total:
            raise ValueError(f"bytes {offset}-{last} do not fit a file of {total}")
        if last + 1 < total and length % UNIT:
            raise ValueError(f"a chunk but the last must be a multiple of {UNIT} bytes")
        headers = {
            "Content-Type": content_type,
            "Content-Length": str(length),
            "Content-Range": f"bytes {offset}-{last}/{total}",
        }
        body = FileSlice(file, offset, length)
        return self._session(session_uri, total, headers, body, length)

    def upload_status(self, session_uri: str, total: int) -> UploadProgress:
        """Ask the session where it stands (`Content-Range: bytes */TOTAL`), before resuming."""
        headers = {"Content-Range": f"bytes */{total}", "Content-Length": "0"}
        return self._session(session_uri, total, headers, b"", 0)

    def _session(
        self, uri: str, total: int, headers: dict[str, str], body: Any, size: int
    ) -> UploadProgress:
        """One PUT to the session URI; transport failures never carry the URI."""
        exchange = Exchange("youtube", "upload", "PUT", uri, request_body_size=size)
        parse = partial(session_answer, total=total)
        try:
            return self.transport.send(
                exchange, parse, "PUT", uri, headers=headers, data=body, allow_redirects=False
            )
        except TransportError as exc:
            raise TransportError(exc.kind, hide_session(exc.detail, uri)) from None

    def _read(
        self,
        path: str,
        access_token: str,
        params: dict[str, str],
        parse: Callable[[requests.Response], T],
    ) -> T:
        """A Data API GET with the bearer token in the header and errors typed."""
        url = f"{self.api_base}{path}"
        exchange = Exchange("youtube", "api", "GET", f"{url}?{urlencode(params)}")
        headers = {"Authorization": f"Bearer {access_token}"}

        def checked(response: requests.Response) -> T:
            if response.status_code >= 300:
                raise google_error(response)
            return parse(response)

        result: T = self.transport.send(
            exchange, checked, "GET", url, headers=headers, params=params
        )
        return result

    def _oauth(
        self,
        url: str,
        form: dict[str, str],
        *,
        timeout: float | None = None,
        require_token: bool = True,
    ) -> dict[str, Any]:
        """POST a form to the token or revoke endpoint; errors come flat."""
        exchange = Exchange("youtube", "oauth", "POST", url, request_body=dict(form))
        headers = {"Content-Type": FORM_TYPE}

        def parse(response: requests.Response) -> dict[str, Any]:
            body = json_object(response, strict=response.status_code < 300 and require_token)
            error = body.get("error")
            if response.status_code >= 300 or error:
                name = error if isinstance(error, str) and error else None
                name = name or (
                    "server_error" if response.status_code >= 500 else "invalid_request"
                )
                description = str(body.get("error_description") or response.reason or "")
                raise oauth_error(name, description, response.status_code)
            if require_token and not body.get("access_token"):
                raise InvalidResponse("no access_token in the answer", response.status_code)
            return body

        return self.transport.send(
            exchange, parse, "POST", url, headers=headers, data=form, timeout=timeout
        )

    @staticmethod
    def _items(response: requests.Response) -> list[dict[str, Any]]:
        items = json_object(response).get("items")
        return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []
