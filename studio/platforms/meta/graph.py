"""The Meta client's plumbing: one audited Transport, Graph calls, the token exchange, rupload.

Tokens travel only in the `Authorization` header (never a URL: docs/platforms/meta.md, Token
transport) with `appsecret_proof` beside them; the app secret only in the form body of the
token exchange. A token is only ever sent to Meta's upload host for rupload (`upload_base`),
whatever URI an answer names.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import IO, Any, TypeVar
from urllib.parse import urlencode

import requests

from studio.platforms.meta.errors import (
    GraphError,
    LoginError,
    PermissionMissing,
    RateLimited,
    TokenInvalid,
)
from studio.platforms.meta.results import UploadOffset, UserToken
from studio.platforms.meta.wire import (
    annotate,
    appsecret_proof,
    graph_failure,
    json_object,
    rupload_failure,
)
from studio.platforms.streams import FileSlice
from studio.transport import Hook, InvalidResponse, PlatformClient, Transport, TransportError

T = TypeVar("T")


class GraphClient(PlatformClient):
    """Configuration, the Transport, and the typed Graph, OAuth and rupload calls."""

    shown = ("app_id", "graph")

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


def _success(response: requests.Response) -> None:
    if json_object(response).get("success") is not True:
        raise InvalidResponse("rupload did not answer success", response.status_code)
