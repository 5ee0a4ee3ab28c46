"""The one audited HTTP transport every platform client sends through.

A client owns one `Transport` (a pooled requests Session, its timeout, its platform's name);
each call fills an `Exchange` with what was really sent and received (or the failure that
replaced the answer) and hands it to the audit hook before the call returns or raises. The
hook is required: a platform cannot talk to the network unaudited. If the hook raises, that
propagates (the audit log fails closed). Secrets are still present in an Exchange; the
audit recorder redacts tokens, upload URLs and session URIs before anything is stored.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Self

import requests

BODY_LOG_LIMIT = 64 * 1024  # characters of a response body kept in an exchange


@dataclass
class Exchange:
    """One request to a platform and its response, or the failure that replaced it."""

    platform: str  # "tiktok", "youtube", "meta", …
    kind: str  # "oauth" | "api" | "upload"
    method: str
    url: str
    request_headers: dict[str, str] = field(default_factory=dict)
    request_body: dict[str, Any] | str | None = None  # form or JSON; never upload bytes
    request_body_size: int | None = None
    status: int | None = None
    response_headers: dict[str, str] = field(default_factory=dict)
    response_body: str | None = None
    duration_ms: float = 0.0
    error: str | None = None  # "timeout", "connection_error: ..." when no response came
    code: str | None = None  # the platform's own error or status code ("ok", "invalid_grant")
    log_id: str | None = None  # the platform's request id, for its support


Hook = Callable[[Exchange], None]
Annotate = Callable[[Exchange, requests.Response], None]


class PlatformError(Exception):
    """Base of everything a platform client raises: the platform's code and message, the HTTP
    status and the platform's request id; `plain` is the sentence staff read.

    The text is `code: message`. `detail` lengthens the text alone, for words that are not the
    platform's message (an OAuth `error_description`, a transport failure's cause).
    """

    code: str
    message: str
    http_status: int | None
    log_id: str | None = None
    plain: str = "The platform refused the request."

    def __init__(
        self,
        code: str,
        message: str = "",
        http_status: int | None = None,
        *,
        log_id: str | None = None,
        detail: str = "",
    ) -> None:
        tail = message or detail
        super().__init__(f"{code}: {tail}" if tail else code)
        self.code = code
        self.message = message
        self.http_status = http_status
        self.log_id = log_id


class TransportError(PlatformError):
    """No HTTP answer: a timeout or a connection failure."""

    def __init__(self, kind: str, detail: str = "") -> None:
        super().__init__(kind, detail=detail)
        self.kind = kind  # "timeout" | "connection"
        self.detail = detail


class InvalidResponse(PlatformError):
    """An answer the client could not read (not JSON, a field missing or of the wrong type)."""

    def __init__(self, detail: str, http_status: int | None) -> None:
        super().__init__("invalid_response", detail, http_status)


class Transport:
    """Send one request, record the exchange through the hook, parse, return or raise."""

    def __init__(
        self,
        platform: str,
        timeout: float,
        hook: Hook,
        *,
        session: requests.Session | None = None,
        annotate: Annotate | None = None,
    ) -> None:
        self.platform = platform
        self.timeout = float(timeout)
        self.hook = hook
        self.http = session or requests.Session()
        self._annotate = annotate

    def close(self) -> None:
        """Close pooled connections."""
        self.http.close()

    def exchange(self, kind: str, method: str, url: str, **fields: Any) -> Exchange:
        """A fresh exchange record for this platform."""
        return Exchange(self.platform, kind, method, url, **fields)

    def send(
        self,
        exchange: Exchange,
        parse: Callable[[requests.Response], Any],
        method: str,
        url: str,
        *,
        log_body: bool = True,
        timeout: float | None = None,
        **kwargs: Any,
    ) -> Any:
        """Send, fill the exchange, report it to the hook, then return `parse`'s result or raise.

        `parse` raises the platform's own PlatformError subclasses; ValueError, KeyError and
        TypeError from it become InvalidResponse. Nothing is retried here: whether a failure
        is worth another try is each platform's error table's decision.
        """
        started = time.perf_counter()
        failure: BaseException | None = None
        result: Any = None
        exchange.request_headers = dict(kwargs.get("headers") or {})
        try:
            response = self.http.request(method, url, timeout=timeout or self.timeout, **kwargs)
        except requests.Timeout as exc:
            exchange.error = "timeout"
            failure = TransportError("timeout", str(exc))
        except requests.RequestException as exc:
            exchange.error = f"connection_error: {type(exc).__name__}"
            failure = TransportError("connection", str(exc))
        else:
            self._fill(exchange, response, log_body)
            try:
                result = parse(response)
            except PlatformError as exc:
                failure = exc
            except (ValueError, KeyError, TypeError) as exc:
                failure = InvalidResponse(str(exc), response.status_code)
        exchange.duration_ms = round((time.perf_counter() - started) * 1000, 3)
        if exchange.log_id is None and isinstance(failure, PlatformError):
            exchange.log_id = failure.log_id
        self.hook(exchange)
        if failure is not None:
            raise failure
        return result

    def _fill(self, exchange: Exchange, response: requests.Response, log_body: bool) -> None:
        """Copy what was actually sent and received into the exchange."""
        exchange.status = response.status_code
        exchange.request_headers = {k: str(v) for k, v in response.request.headers.items()}
        exchange.response_headers = dict(response.headers)
        text = response.text if log_body or response.status_code >= 400 else ""
        exchange.response_body = text[:BODY_LOG_LIMIT] if text else None
        if self._annotate is not None:
            self._annotate(exchange, response)


class PlatformClient:
    """Base of every platform client: owns one Transport, closes it, works as a context manager.

    `shown` names the attributes its repr shows (never a secret).
    """

    shown: tuple[str, ...] = ()
    transport: Transport

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.shown)
        return f"{type(self).__name__}({fields})"

    def close(self) -> None:
        """Close pooled connections."""
        self.transport.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def json_object(
    response: requests.Response, strict: bool = True, *, require_object: bool = False
) -> dict[str, Any]:
    """The body as a JSON object; `{}` for an empty body or an error's unreadable one.

    `strict`: a success (< 300) that is not JSON raises ValueError (the transport turns it into
    InvalidResponse). `require_object`: a strict success must also be a non-empty JSON object.
    """
    success = strict and response.status_code < 300
    if not response.content.strip():
        if success and require_object:
            raise ValueError("an empty answer")
        return {}
    try:
        body = response.json()
    except ValueError:
        if success:
            raise
        return {}
    if not isinstance(body, dict):
        if success and require_object:
            raise ValueError("the answer is not a JSON object")
        return {}
    return body
