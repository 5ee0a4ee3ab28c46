"""record_exchange(): the TikTok client's hook, one entry per HTTP exchange."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from studio.audit import store
from studio.audit.recorder import _app, build_spec, known_secrets, write
from studio.audit.redact import Redactor
from studio.transport import Exchange

BODY_LIMIT = 64 * 1024  # characters of a body kept in an entry


def record_exchange(exchange: Exchange) -> int:
    """Record one request/response (or failure) with every secret redacted; returns its seq.

    Upload chunks keep their headers and sizes, never their bytes. Raises AuditWriteError
    when the entry cannot be written.
    """
    app = _app()
    redactor = Redactor(known_secrets(app))
    payload = redactor(exchange_payload(exchange))
    fields: dict[str, Any] = {
        "method": exchange.method.upper(),
        "endpoint": urlsplit(exchange.url).path or "/",
        "http_status": exchange.status,
        "duration_ms": exchange.duration_ms,
        "platform_code": exchange.code,
        "platform": exchange.platform,
        "log_id": exchange.log_id,
        "error": exchange.error,
    }
    status = "error" if failed(exchange) else "ok"
    spec = build_spec(
        f"{exchange.platform}:request",  # Action.TIKTOK_REQUEST for TikTok
        summary(exchange),
        status,
        fields,
        store.encode_payload(payload),
        redactor,
    )
    return write(app, spec)


def failed(exchange: Exchange) -> bool:
    """No response, an HTTP error, or a TikTok error code."""
    if exchange.error or exchange.status is None or exchange.status >= 400:
        return True
    return exchange.code not in (None, "", "ok")


def summary(exchange: Exchange) -> str:
    """ "POST /v2/oauth/token/ → 200", "PUT /video/ → timeout", with TikTok's code on errors."""
    path = urlsplit(exchange.url).path or "/"
    outcome = str(exchange.status) if exchange.status is not None else (exchange.error or "failed")
    if exchange.code and exchange.code != "ok":
        outcome += f" {exchange.code}"
    label = {"oauth": "OAuth", "upload": "chunk"}.get(exchange.kind)
    prefix = f"{label}: " if label else ""
    return f"{prefix}{exchange.method.upper()} {path} → {outcome}"[:500]


def exchange_payload(exchange: Exchange) -> dict[str, Any]:
    """The unredacted payload: request and response, bodies parsed where they are JSON."""
    request: dict[str, Any] = {
        "url": exchange.url,
        "headers": dict(exchange.request_headers),
        "body_size": exchange.request_body_size,
    }
    if exchange.kind != "upload" and isinstance(exchange.request_body, dict | str):
        request["body"] = _body(exchange.request_body)
    payload: dict[str, Any] = {"kind": exchange.kind, "request": request}
    if exchange.status is not None:
        payload["response"] = {
            "status": exchange.status,
            "headers": dict(exchange.response_headers),
            "body": _body(exchange.response_body),
        }
    if exchange.error:
        payload["error"] = exchange.error
    return payload


def _body(body: dict[str, Any] | str | None) -> Any:
    if not isinstance(body, str):
        return body
    if len(body) > BODY_LIMIT:
        return body[:BODY_LIMIT] + f"… [{len(body) - BODY_LIMIT} more characters not kept]"
    try:
        parsed = json.loads(body)
    except ValueError:
        return body
    return parsed if isinstance(parsed, dict | list) else body
