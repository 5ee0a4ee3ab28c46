"""Signed webhook delivery (`TikTok-Signature: t=…,s=hex(HMAC_SHA256(secret, "t.body"))`)."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from typing import Any

import requests

from studio.sandbox.state import SandboxState


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The TikTok-Signature header value for a raw body."""
    payload = str(timestamp).encode() + b"." + body
    digest = hmac.new(secret.encode(), payload, hashlib.sha256).hexdigest()
    return f"t={timestamp},s={digest}"


def build_body(client_key: str, event: str, open_id: str, content: dict[str, Any]) -> bytes:
    """The envelope; `content` is JSON serialised a second time, as TikTok does."""
    envelope = {
        "client_key": client_key,
        "event": event,
        "create_time": int(time.time()),
        "user_openid": open_id,
        "content": json.dumps(content, separators=(",", ":")),
    }
    return json.dumps(envelope, separators=(",", ":")).encode()


def send_webhook(
    state: SandboxState, event: str, open_id: str, content: dict[str, Any], wait: bool = False
) -> dict[str, Any]:
    """Record an event and, if `webhook_url` is set, deliver it (in a thread unless `wait`)."""
    cfg = state.config
    body = build_body(cfg.client_key, event, open_id, content)
    record: dict[str, Any] = {
        "event": event,
        "open_id": open_id,
        "content": content,
        "url": cfg.webhook_url,
        "attempts": [],
        "delivered": False,
    }
    with state.lock:
        state.webhooks.append(record)
        state.counters["webhooks"] += 1
    if cfg.webhook_url:
        args = (state, record, cfg.webhook_url, body)
        if wait:
            _deliver(*args)
        else:
            threading.Thread(target=_deliver, args=args, daemon=True).start()
    return record


def _deliver(state: SandboxState, record: dict[str, Any], url: str, body: bytes) -> None:
    """POST with a couple of retries on non-200 or network errors."""
    cfg = state.config
    for attempt in range(cfg.webhook_retries + 1):
        if attempt:
            time.sleep(cfg.webhook_retry_delay * 2 ** (attempt - 1))
        headers = {
            "Content-Type": "application/json",
            "TikTok-Signature": sign(cfg.client_secret, int(time.time()), body),
        }
        try:
            with requests.Session() as session:
                session.trust_env = False
                with session.post(url, data=body, headers=headers, timeout=5) as response:
                    outcome: int | str = response.status_code
        except requests.RequestException as exc:
            outcome = type(exc).__name__
        with state.lock:
            record["attempts"].append(outcome)
            if outcome == 200:
                record["delivered"] = True
                return
