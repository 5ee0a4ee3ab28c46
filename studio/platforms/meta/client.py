"""The one place that speaks HTTP to Meta: Facebook Login, Graph, IG and Page Reels, rupload.

No Flask here: configuration is passed in, and every exchange is reported to `hook` (the audit
recorder) before the call returns or raises. Tokens travel only in the `Authorization` header
(never a URL: docs/platforms/meta.md, Token transport) with `appsecret_proof` beside them; the
app secret only in the form body of the token exchange. A token is only ever sent to Meta's
upload host for rupload (`upload_base`), whatever URI an answer names.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import IO, Any, TypeVar
from urllib.parse import urlencode

import requests

from studio.platforms.meta import rules
from studio.platforms.meta.errors import (
    GraphError,
    LoginError,
    PermissionMissing,
    RateLimited,
    TokenInvalid,
)
from studio.platforms.meta.results import (
    ContainerStatus,
    InstagramAccount,
    Page,
    PageReelStatus,
    PageReelUpload,
    Person,
    PublishingLimit,
    ReelContainer,
    UploadOffset,
    UserToken,
    picture_url,
)
from studio.platforms.meta.wire import (
    annotate,
    appsecret_proof,
    graph_failure,
    json_object,
    rupload_failure,
)
from studio.platforms.streams import FileSlice
from studio.transport import Hook, InvalidResponse, Transport, TransportError

__all__ = ["MetaClient", "Page", "UserToken"]

IG_FIELDS = "id,username,name,profile_picture_url"
PAGE_FIELDS = f"id,name,picture,access_token,tasks,instagram_business_account{{{IG_FIELDS}}}"
MAX_PAGES = 50  # /me/accounts pages followed (25 Pages each by default)
T = TypeVar("T")


class MetaClient:
    """Typed calls to Meta's Graph API and rupload over one audited Transport."""

    def __init__(
        self,
        app_id: str,
        app_secret: str,
        graph_version: str,
        auth_url: str,
        graph_base: str,
        upload_base: str,
        timeout: float,
        hook: Hook,
        *,
        session: requests.Session | None = None,
    ) -> None:
        self.app_id = app_id
        self._app_secret = app_secret
        self.version = graph_version
        self.auth_url = auth_url.replace("{version}", graph_version)
        self.graph = f"{graph_base.rstrip('/')}/{graph_version}"
        self.upload_base = upload_base.rstrip("/")
        self.transport = Transport("meta", timeout, hook, session=session, annotate=annotate)

    def __repr__(self) -> str:
        return f"MetaClient(app_id={self.app_id!r}, graph={self.graph!r})"

    def close(self) -> None:
        """Close pooled connections."""
        self.transport.close()

    def __enter__(self) -> MetaClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # Facebook Login for Business and tokens

    def authorize_url(
        self, redirect_uri: str, scopes: list[str], state: str, *, config_id: str | None = None
    ) -> str:
        """The login dialog URL: `config_id` (Login for Business) or comma-separated scopes."""
        params = {
            "client_id": self.app_id,
            "redirect_uri": redirect_uri,
            "state": state,
            "response_type": "code",
        }
        if config_id:
            params["config_id"] = config_id
        else:
            params["scope"] = ",".join(scopes)
        sep = "&" if "?" in self.auth_url else "?"
        return f"{self.auth_url}{sep}{urlencode(params)}"

    def exchange_code(self, code: str, redirect_uri: str) -> UserToken:
        """Trade the dialog's code for a short-lived user token (POST form, never a URL)."""
        return self._oauth({"code": code, "redirect_uri": redirect_uri})

    def long_lived(self, user_token: str) -> UserToken:
        """A long-lived (about 60 days) user token for a still-valid user token."""
        return self._oauth({"grant_type": "fb_exchange_token", "fb_exchange_token": user_token})

    def me(self, user_token: str) -> Person:
        """The person who logged in."""

        def parse(body: dict[str, Any]) -> Person:
            return Person(str(body["id"]), str(body.get("name") or ""), picture_url(body))

        return self._graph("GET", "me", user_token, parse, {"fields": "id,name,picture"})

    def pages(self, user_token: str) -> list[Page]:
        """The Pages the person manages with their Page tokens and linked IG accounts."""
        found: list[Page] = []
        params = {"fields": PAGE_FIELDS}
        for _ in range(MAX_PAGES):
            body = self._graph("GET", "me/accounts", user_token, dict, params)
            found += [Page.from_record(r) for r in body.get("data") or () if isinstance(r, dict)]
            paging = body.get("paging") or {}
            after = (paging.get("cursors") or {}).get("after")
            if not paging.get("next") or not after:  # never follow `next`: it holds the token
                break
            params = {"fields": PAGE_FIELDS, "after": str(after)}
        return found

    def instagram_account(self, token: str, ig_id: str) -> InstagramAccount:
        """An IG professional account's id, username, name and picture (user token)."""
        parse = InstagramAccount.from_record
        return self._graph("GET", ig_id, token, parse, {"fields": IG_FIELDS})

    def revoke_permissions(self, user_token: str) -> bool:
        """`DELETE /me/permissions`: the app's grant ends; False if it had already ended."""
        try:
            body = self._graph("DELETE", "me/permissions", user_token, dict)
        except TokenInvalid:
            return False
        return body.get("success") is True

    # Instagram Reels

    def create_reel_container(
        self,
        token: str,
        ig_user_id: str,
        caption: str,
        share_to_feed: bool,
        ai_generated: bool,
        *,
        video_url: str | None = None,
    ) -> ReelContainer:
        """A REELS container: resumable (upload to its `upload_uri`) unless `video_url` is given."""
        rules.check(rules.caption_problems(caption, "instagram"))
        form = {
            "media_type": "REELS",
            "caption": caption,
            "share_to_feed": _flag(share_to_feed),
            "is_ai_generated": _flag(ai_generated),
        }
        if video_url is None:
            form["upload_type"] = "resumable"
        else:
            form["video_url"] = video_url

        def parse(body: dict[str, Any]) -> ReelContainer:
            uri = body.get("uri")
            if video_url is None and not isinstance(uri, str):
                raise InvalidResponse("no rupload uri for a resumable container", 200)
            return ReelContainer(str(body["id"]), self._upload_uri(uri) if uri else None)

        return self._graph("POST", f"{ig_user_id}/media", token, parse, form=form)

    def container_status(self, token: str, container_id: str) -> ContainerStatus:
        """IN_PROGRESS, FINISHED, ERROR (with its subcode), EXPIRED or PUBLISHED."""

        def parse(body: dict[str, Any]) -> ContainerStatus:
            return ContainerStatus.from_body(container_id, body)

        return self._graph("GET", container_id, token, parse, {"fields": "status_code,status"})

    def publish_container(self, token: str, ig_user_id: str, container_id: str) -> str:
        """Publish a FINISHED container; the IG media id. Check the status before any retry."""
        form = {"creation_id": container_id}
        return self._graph("POST", f"{ig_user_id}/media_publish", token, _id, form=form)

    def publishing_limit(self, token: str, ig_user_id: str) -> PublishingLimit:
        """Reels published in the rolling window and the account's quota (never hard-coded)."""

        def parse(body: dict[str, Any]) -> PublishingLimit:
            entry = body["data"][0]
            config = entry.get("config") or {}
            used, quota = int(entry["quota_usage"]), int(config["quota_total"])
            return PublishingLimit(used, quota, int(config.get("quota_duration") or 86400))

        params = {"fields": "quota_usage,config"}
        return self._graph("GET", f"{ig_user_id}/content_publishing_limit", token, parse, params)

    # Facebook Page Reels

    def start_page_reel(self, page_token: str, page_id: str) -> PageReelUpload:
        """`video_reels` upload_phase=start: the video id and its rupload URL."""

        def parse(body: dict[str, Any]) -> PageReelUpload:
            return PageReelUpload(str(body["video_id"]), self._upload_uri(body["upload_url"]))

        form = {"upload_phase": "start"}
        return self._graph("POST", f"{page_id}/video_reels", page_token, parse, form=form)

    def finish_page_reel(
        self, page_token: str, page_id: str, video_id: str, description: str
    ) -> bool:
        """`video_reels` upload_phase=finish with video_state=PUBLISHED and the description."""
        form = {
            "upload_phase": "finish",
            "video_id": video_id,
            "video_state": "PUBLISHED",
            "description": description,
        }
        body = self._graph("POST", f"{page_id}/video_reels", page_token, dict, form=form)
        return body.get("success") is True

    def page_reel_status(self, page_token: str, video_id: str) -> PageReelStatus:
        """The video's uploading, processing and publishing phases."""

        def parse(body: dict[str, Any]) -> PageReelStatus:
            return PageReelStatus.from_body(video_id, body)

        return self._graph("GET", video_id, page_token, parse, {"fields": "status"})

    # rupload (Instagram containers with the user token, Page Reels with the Page token)

    def rupload(self, uri: str, token: str, file: IO[bytes], offset: int, size: int) -> None:
        """POST the bytes of the open file from `offset` to its end, streamed from disk.

        Resume from the offset Meta reports (`upload_offset`), never from the client's count.
        """
        if not 0 <= offset < size:
            raise ValueError(f"offset {offset} does not fit a file of {size} bytes")
        headers = {
            "Authorization": f"OAuth {token}",
            "offset": str(offset),
            "file_size": str(size),
            "Content-Type": "application/octet-stream",
            "Content-Length": str(size - offset),
        }
        body = FileSlice(file, offset, size - offset)
        self._rupload("POST", uri, headers, _success, data=body, size=size - offset)

    def upload_offset(self, uri: str, token: str) -> UploadOffset:
        """How many bytes Meta holds for this upload URL."""

        def parse(response: requests.Response) -> UploadOffset:
            body = json_object(response)
            total = body.get("file_size")
            return UploadOffset(int(body["offset"]), int(total) if total is not None else None)

        headers = {"Authorization": f"OAuth {token}"}
        result: UploadOffset = self._rupload("GET", uri, headers, parse)
        return result

    # plumbing

    def _upload_uri(self, uri: Any) -> str:
        """A rupload URI from an answer, only if it is on the configured upload host."""
        if not isinstance(uri, str) or not uri.startswith(f"{self.upload_base}/"):
            raise InvalidResponse("the upload URI is not on the configured upload host", 200)
        return uri

    def _rupload(
        self,
        method: str,
        uri: str,
        headers: dict[str, str],
        parse: Callable[[requests.Response], T],
        *,
        data: Any = None,
        size: int = 0,
    ) -> T:
        self._upload_uri(uri)
        exchange = self.transport.exchange("upload", method, uri, request_body_size=size)

        def checked(response: requests.Response) -> T:
            if response.status_code >= 300:
                raise rupload_failure(response)
            return parse(response)

        result: T = self.transport.send(
            exchange, checked, method, uri, headers=headers, data=data, allow_redirects=False
        )
        return result

    def _graph(
        self,
        method: str,
        path: str,
        token: str,
        parse: Callable[[dict[str, Any]], T],
        params: dict[str, str] | None = None,
        *,
        form: dict[str, str] | None = None,
    ) -> T:
        """A Graph call: Bearer header, appsecret_proof in the query, errors typed."""
        proof = appsecret_proof(self._app_secret, token)
        query = {**(params or {}), "appsecret_proof": proof}
        url = f"{self.graph}/{path}"
        exchange = self.transport.exchange(
            "api", method, f"{url}?{urlencode(query)}", request_body=dict(form) if form else None
        )
        read = method == "GET"

        def checked(response: requests.Response) -> T:
            if response.status_code >= 300:
                raise graph_failure(response, read)
            return parse(json_object(response))

        headers = {"Authorization": f"Bearer {token}"}
        try:
            result: T = self.transport.send(
                exchange, checked, method, url, headers=headers, params=query, data=form,
                allow_redirects=False,
            )  # fmt: skip
        except TransportError as exc:
            raise TransportError(exc.kind, exc.detail.replace(proof, "[proof]")) from None
        return result

    def _oauth(self, form: dict[str, str]) -> UserToken:
        """POST oauth/access_token with the app's id and secret in the form body."""
        url = f"{self.graph}/oauth/access_token"
        body = {"client_id": self.app_id, "client_secret": self._app_secret, **form}
        exchange = self.transport.exchange("oauth", "POST", url, request_body=dict(body))

        def parse(response: requests.Response) -> UserToken:
            if response.status_code >= 300:
                error = graph_failure(response, read=False)
                if _refused_login(error):
                    error = LoginError(
                        error.graph_code, error.message, error.http_status,
                        subcode=error.subcode, kind=error.kind, fbtrace_id=error.log_id,
                    )  # fmt: skip
                raise error
            answer = json_object(response)
            if not answer.get("access_token"):
                raise InvalidResponse("no access_token in the answer", response.status_code)
            return UserToken.from_body(answer)

        result: UserToken = self.transport.send(exchange, parse, "POST", url, data=body)
        return result


def _refused_login(error: GraphError) -> bool:
    """A refusal of the login itself (not a dead token, a limit or a temporary failure)."""
    if isinstance(error, TokenInvalid | RateLimited | PermissionMissing):
        return False
    return not (error.transient or (error.http_status or 0) >= 500)


def _flag(value: bool) -> str:
    """Graph's strict booleans."""
    return "true" if value else "false"


def _id(body: dict[str, Any]) -> str:
    return str(body["id"])


def _success(response: requests.Response) -> None:
    if json_object(response).get("success") is not True:
        raise InvalidResponse("rupload did not answer success", response.status_code)
