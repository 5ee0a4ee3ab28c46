"""What the TikTok client reports for every HTTP exchange (the audit hook's input)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Exchange:
    """One request to TikTok and its response, or the failure that replaced it.

    Secrets are still present here (tokens in bodies and headers, the upload URL's query
    string); whoever stores an Exchange must redact it first.
    """

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
    tiktok_code: str | None = None
    log_id: str | None = None
