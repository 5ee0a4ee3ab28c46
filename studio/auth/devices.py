"""Device cookies: a browser that signed in to an account is exempt from lockouts others cause.

The per-account sign-in limit counts every attempt, right or wrong, so without this anyone who
knows a staff member's address could keep them locked out with five tries per quarter hour.
Following OWASP's "Slow down online guessing attacks with device cookies": after a successful
sign-in the browser gets a signed cookie naming the account (as a keyed digest, not the
address) and a random nonce. Attempts from that browser for that account count against the
cookie's own bucket (same limit), attempts from anywhere else against the account's bucket.
A stranger can fill the account's bucket, never the owner's; credential stuffing still meets
the per-address limit and the account's bucket. The cookie grants no access by itself.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from typing import Any

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.wrappers import Response

from studio.auth import emails

LIFETIME = 60 * 60 * 24 * 180  # seconds: a device is remembered for half a year


def cookie_name(config: Mapping[str, Any]) -> str:
    """``__Host-`` in production: Secure, Path=/ and no Domain, enforced by the browser."""
    return "__Host-studio_device" if config["ENV"] == "production" else "studio_device"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="studio.device-cookie")


def _account(email: str) -> str:
    try:
        email = emails.normalise(email)
    except emails.EmailError:
        email = email.strip().casefold()
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, email.encode(), hashlib.sha256).hexdigest()[:32]


def issue(response: Response, email: str) -> None:
    """Give this browser a device cookie for ``email`` (after a successful sign-in)."""
    value = _serializer().dumps({"a": _account(email), "n": secrets.token_urlsafe(16)})
    response.set_cookie(
        cookie_name(current_app.config),
        value,
        max_age=LIFETIME,
        path="/",
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
        httponly=True,
        samesite="Lax",
    )


def nonce_for(email: str) -> str | None:
    """The nonce of this browser's valid device cookie for ``email``, if it has one."""
    raw = request.cookies.get(cookie_name(current_app.config))
    if not raw:
        return None
    try:
        data = _serializer().loads(raw, max_age=LIFETIME)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("a") != _account(email):
        return None
    nonce = data.get("n")
    return nonce if isinstance(nonce, str) else None


def login_limit_key() -> str:
    """Rate-limit key of the per-account sign-in limit: the device's own bucket when the
    browser holds a device cookie for the typed account, else the account's bucket."""
    email = request.form.get("email") or ""
    nonce = nonce_for(email)
    if nonce:
        return "device:" + nonce
    try:
        return "account:" + emails.normalise(email)
    except emails.EmailError:
        return "account:" + email.strip().casefold()
