"""Signed callbacks Meta sends the app: Deauthorize and Data Deletion Request."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from typing import Any

import requests

from studio.sandbox.meta.state import MetaState


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(data: str) -> bytes:
    return base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))


def sign(secret: str, payload: dict[str, Any]) -> str:
    """signed_request = b64url(HMAC-SHA256(secret, b64url(json))) + "." + b64url(json)."""
    body = _b64(json.dumps(payload, separators=(",", ":")).encode())
    signature = hmac.new(secret.encode(), body.encode(), hashlib.sha256).digest()
    return f"{_b64(signature)}.{body}"


def parse(secret: str, signed_request: str) -> dict[str, Any] | None:
    """The payload if the signature matches and the algorithm is HMAC-SHA256, else None."""
    encoded_sig, _, body = signed_request.partition(".")
    try:
        signature = _unb64(encoded_sig)
        expected = hmac.new(secret.encode(), body.encode(), hashlib.sha256).digest()
        if not body or not hmac.compare_digest(signature, expected):
            return None
        payload = json.loads(_unb64(body))
    except (binascii.Error, ValueError):
        return None
    if not isinstance(payload, dict) or payload.get("algorithm") != "HMAC-SHA256":
        return None
    return payload


def send(state: MetaState, event: str, user_id: str, url: str | None = None) -> dict[str, Any]:
    """Sign and POST `signed_request` (form) for `event` (deauthorize | data_deletion)."""
    now = int(time.time())
    payload = {"algorithm": "HMAC-SHA256", "expires": now + 3600, "issued_at": now}
    payload["user_id"] = user_id
    signed = sign(state.config.app_secret, payload)
    if url is None:
        url = (
            state.config.deauthorize_url
            if event == "deauthorize"
            else state.config.data_deletion_url
        )
    record: dict[str, Any] = {"event": event, "user_id": user_id, "url": url}
    record["signed_request"] = signed
    with state.lock:
        record["index"] = len(state.callbacks)
        state.callbacks.append(record)
        state.counters[f"callbacks_{event}"] += 1
    return deliver(state, record)


def replay(state: MetaState, index: int) -> dict[str, Any]:
    """Send the same signed_request again (a replayed or retried delivery)."""
    with state.lock:
        original = state.callbacks[index]
        record = {k: original[k] for k in ("event", "user_id", "url", "signed_request")}
        record["index"] = len(state.callbacks)
        record["replay_of"] = index
        state.callbacks.append(record)
    return deliver(state, record)


def deliver(state: MetaState, record: dict[str, Any]) -> dict[str, Any]:
    """POST it (no URL: only recorded); the deletion callback must answer {url, code}."""
    url = record["url"]
    if url:
        try:
            with requests.Session() as session:
                session.trust_env = False
                form = {"signed_request": record["signed_request"]}
                with session.post(url, data=form, timeout=10) as response:
                    record["status"] = response.status_code
                    record["answer"] = response.text[:2000]
        except requests.RequestException as exc:
            record["status"] = type(exc).__name__
    record["valid"] = _valid(record)
    with state.lock:
        return {k: v for k, v in record.items() if k != "signed_request"}


def _valid(record: dict[str, Any]) -> bool:
    """A deauthorize answer is any 2xx; a deletion answer is 200 JSON {url, confirmation_code}."""
    status = record.get("status")
    if not isinstance(status, int) or not 200 <= status < 300:
        return False
    if record["event"] != "data_deletion":
        return True
    try:
        body = json.loads(record.get("answer", ""))
    except ValueError:
        return False
    return (
        status == 200
        and isinstance(body, dict)
        and isinstance(body.get("url"), str)
        and isinstance(body.get("confirmation_code"), str)
        and bool(body["confirmation_code"])
    )
