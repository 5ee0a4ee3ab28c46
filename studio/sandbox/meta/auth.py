"""Graph request plumbing: parameters, header-only tokens, appsecret_proof, permissions."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

from flask import current_app, g, request

from studio.sandbox.meta.errors import GraphError
from studio.sandbox.meta.models import Token
from studio.sandbox.meta.state import MetaState

BUC_CODES = {"instagram": 80002, "pages": 80001}
PLATFORM_CODES = {"short": 17, "long": 17, "page": 32}
LIMIT_MESSAGES = {
    17: "User request limit reached",
    32: "Page request limit reached",
    80001: "There have been too many calls to this Page account. Wait a bit and try again.",
    80002: "There have been too many calls to this Instagram account. Wait a bit and try again.",
}


def meta_state() -> MetaState:
    """The state of the running Meta sandbox."""
    return current_app.extensions["meta_sandbox"]


def base_url() -> str:
    """Public base URL of the sandbox (no trailing slash)."""
    return meta_state().config.public_base_url or request.host_url.rstrip("/")


def params() -> dict[str, str]:
    """Query, form and JSON body parameters merged (Graph accepts all three)."""
    merged: dict[str, str] = dict(request.args.items())
    merged.update(request.form.items())
    if request.is_json:
        body = request.get_json(silent=True)
        if isinstance(body, dict):
            for key, value in body.items():
                merged[key] = value if isinstance(value, str) else json.dumps(value)
    return merged


def proof(secret: str, token: str) -> str:
    """appsecret_proof = hex(HMAC-SHA256(key=app secret, msg=access token))."""
    return hmac.new(secret.encode(), token.encode(), hashlib.sha256).hexdigest()


def bearer(schemes: tuple[str, ...] = ("bearer", "oauth"), body: bool = True) -> str:
    """The token from the Authorization header; a token anywhere else is refused.

    `body=False` (rupload) never parses the request body: it is the video.
    """
    cfg = meta_state().config
    elsewhere = "access_token" in request.args or (body and "access_token" in params())
    if cfg.header_tokens_only and elsewhere:
        raise GraphError(
            100,
            "Sandbox: access_token in the URL or body is refused (it lands in logs); "
            "send it in the Authorization header.",
        )
    scheme, _, value = request.headers.get("Authorization", "").strip().partition(" ")
    if scheme.lower() not in schemes or not value.strip():
        raise GraphError(104, "An access token is required to request this resource.")
    return value.strip()


def lookup(state: MetaState, value: str) -> Token:
    """The live token behind `value`, or Meta's code 190 with its subcode."""
    with state.lock:
        token = state.tokens.get(value)
        grant = state.grants.get(token.grant_id) if token else None
    if token is None or grant is None:
        raise GraphError(190, "Invalid OAuth access token - Cannot parse access token", status=400)
    if token.revoked or grant.revoked:
        raise GraphError(
            190,
            "Error validating access token: The user has not authorized application "
            f"{state.config.app_id}.",
            subcode=458,
        )
    if token.expired():
        when = time.strftime("%A, %d-%b-%y %H:%M:%S UTC", time.gmtime(token.expires_at))
        raise GraphError(
            190, f"Error validating access token: Session has expired on {when}.", subcode=463
        )
    return token


def authenticate(bucket: str | None = None, business_id: str | None = None) -> Token:
    """Header token, appsecret_proof, then the call is counted for rate limits (and headers)."""
    state = meta_state()
    token = lookup(state, bearer())
    cfg = state.config
    sent = params().get("appsecret_proof")
    if cfg.require_appsecret_proof and not sent:
        raise GraphError(
            100,
            "API calls from the server require an appsecret_proof argument",
            kind="GraphMethodException",
        )
    if sent is not None and not hmac.compare_digest(sent, proof(cfg.app_secret, token.token)):
        raise GraphError(
            100, "Invalid appsecret_proof provided in the API argument", kind="GraphMethodException"
        )
    count(state, token, bucket, business_id)
    return token


def count(state: MetaState, token: Token, bucket: str | None, business_id: str | None) -> None:
    """Count the call on its window; set the usage header; refuse once over the limit."""
    if bucket is None and token.kind == "page":
        bucket, business_id = "pages", token.page_id
    if bucket is not None:
        key = f"{bucket}:{business_id}"
        percent, over = state.usage(key)
        entry = {
            "type": bucket,
            "call_count": percent,
            "total_cputime": percent // 2,
            "total_time": percent // 2,
            "estimated_time_to_regain_access": 60 if over else 0,
        }
        g.meta_usage = ("X-Business-Use-Case-Usage", json.dumps({business_id: [entry]}))
        code = BUC_CODES[bucket]
    else:
        percent, over = state.usage(f"user:{token.person}")
        usage = {"call_count": percent, "total_cputime": percent // 2, "total_time": percent // 2}
        g.meta_usage = ("X-App-Usage", json.dumps(usage))
        code = PLATFORM_CODES[token.kind]
    if over:
        state.count("rate_limited")
        raise GraphError(code, LIMIT_MESSAGES[code], status=400, transient=True)


def require(token: Token, *scopes: str) -> None:
    """Every scope must have been granted to the token's grant."""
    state = meta_state()
    with state.lock:
        granted = set(state.grants[token.grant_id].scopes)
    missing = [s for s in scopes if s not in granted]
    if missing:
        raise GraphError(200, f"(#200) Requires {missing[0]} permission", status=403)


def fields(default: list[str]) -> dict[str, list[str]]:
    """`fields=a,b{c,d}` → {"a": [], "b": ["c", "d"]}; missing → the default fields."""
    raw = request.args.get("fields")
    if not raw:
        return {name: [] for name in default}
    out: dict[str, list[str]] = {}
    depth, name, sub = 0, "", ""
    for char in raw + ",":
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif char == "," and depth == 0:
            if name.strip():
                out[name.strip()] = [s.strip() for s in sub.split(",") if s.strip()]
            name, sub = "", ""
            continue
        if depth == 0 and char not in "{}":
            name += char
        elif char not in "{}" or depth > 1:
            sub += char
    return out


def pick(record: dict[str, Any], wanted: dict[str, list[str]]) -> dict[str, Any]:
    """Keep the wanted fields; an unknown field is Graph's code 100."""
    out: dict[str, Any] = {}
    for name, sub in wanted.items():
        if name not in record:
            raise GraphError(100, f"(#100) Tried accessing nonexisting field ({name})")
        value = record[name]
        out[name] = pick(value, {s: [] for s in sub}) if sub and isinstance(value, dict) else value
    return out
