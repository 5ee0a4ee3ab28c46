"""Wire helpers for the Meta client: appsecret_proof, answers, errors and usage headers parsed.

Nothing here sends a request; client.py does.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any

import requests

from studio.platforms.meta.errors import GraphError, MetaError, RuploadError, graph_error
from studio.platforms.meta.results import Usage
from studio.transport import Exchange
from studio.transport import json_object as _json_object

USAGE_HEADERS = ("X-App-Usage", "X-Page-Usage", "X-Business-Use-Case-Usage")
TRACE_HEADER = "x-fb-trace-id"


def appsecret_proof(app_secret: str, token: str) -> str:
    """hex(HMAC-SHA256(key = app secret, message = access token)).

    docs/platforms/meta.md, Token transport and appsecret_proof.
    """
    return hmac.new(app_secret.encode(), token.encode(), hashlib.sha256).hexdigest()


def usage(headers: Mapping[str, str]) -> Usage | None:
    """The rate-limit headers read: highest percent, longest `estimated_time_to_regain_access`.

    `X-App-Usage` / `X-Page-Usage` are `{"call_count", "total_cputime", "total_time"}`;
    `X-Business-Use-Case-Usage` is `{"<id>": [{…, "estimated_time_to_regain_access"}]}`
    (docs/platforms/meta.md, Errors). Unreadable headers count as absent.
    """
    entries: list[dict[str, Any]] = []
    for name in USAGE_HEADERS:
        raw = headers.get(name)
        if not raw:
            continue
        try:
            value = json.loads(raw)
        except ValueError:
            continue
        if name == "X-Business-Use-Case-Usage" and isinstance(value, dict):
            for items in value.values():
                entries += (
                    [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []
                )
        elif isinstance(value, dict):
            entries.append(value)
    if not entries:
        return None
    percent = max(
        _int(e.get(k)) for e in entries for k in ("call_count", "total_cputime", "total_time")
    )
    regain = max(_int(e.get("estimated_time_to_regain_access")) for e in entries)
    return Usage(percent, regain)


def graph_failure(response: requests.Response, read: bool) -> GraphError:
    """The typed error of a failed Graph answer (Graph's envelope, or the bare HTTP status)."""
    status = response.status_code
    error = json_object(response, strict=False).get("error")
    found = usage(response.headers)
    if not isinstance(error, dict):
        text = response.text.strip()[:300] if response.content else ""
        return graph_error(
            1 if status >= 500 else 0, text or response.reason or "", status, read=read, usage=found
        )
    return graph_error(
        _int(error.get("code")),
        str(error.get("message") or ""),
        status,
        subcode=_int(error["error_subcode"]) if error.get("error_subcode") is not None else None,
        read=read,
        transient=error.get("is_transient") is True,
        kind=str(error.get("type") or ""),
        fbtrace_id=str(error.get("fbtrace_id") or "") or None,
        usage=found,
    )


def rupload_failure(response: requests.Response) -> MetaError:
    """rupload answers `{"debug_info": {…}}`; token errors still come in Graph's envelope."""
    body = json_object(response, strict=False)
    info = body.get("debug_info")
    if isinstance(info, dict):
        return RuploadError(
            str(info.get("type") or f"http_{response.status_code}"),
            str(info.get("message") or ""),
            response.status_code,
            retriable=info.get("retriable") is True,
        )
    if isinstance(body.get("error"), dict):
        return graph_failure(response, read=False)
    return RuploadError(
        f"http_{response.status_code}", response.reason or "", response.status_code,
        retriable=response.status_code >= 500,
    )  # fmt: skip


def annotate(exchange: Exchange, response: requests.Response) -> None:
    """Put Meta's code/subcode (or rupload's type) and fbtrace_id on the exchange."""
    trace = response.headers.get(TRACE_HEADER)
    if trace:
        exchange.log_id = trace
    if response.status_code < 400:
        return
    body = json_object(response, strict=False)
    error, info = body.get("error"), body.get("debug_info")
    if isinstance(error, dict):
        code, subcode = error.get("code"), error.get("error_subcode")
        exchange.code = f"{code}/{subcode}" if subcode is not None else str(code)
        exchange.log_id = str(error.get("fbtrace_id") or "") or exchange.log_id
    elif isinstance(info, dict):
        exchange.code = str(info.get("type") or f"http_{response.status_code}")
    else:
        exchange.code = f"http_{response.status_code}"


def _int(value: Any) -> int:
    """An integer from Meta's JSON (numbers may come as text); 0 when unreadable."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def json_object(response: requests.Response, strict: bool = True) -> dict[str, Any]:
    """Graph answers: a strict success must be a non-empty JSON object."""
    return _json_object(response, strict, require_object=True)
