"""Redaction: secrets out of headers, bodies, URLs and any string before anything is stored.

Two passes. The key pass replaces the values of secret-looking keys wherever they appear
(nested JSON, form bodies, JSON inside strings, URL query strings, headers) and collects the
values it removed. The value pass then replaces every occurrence of those values, of token-shaped
strings (``act.``/``rft.``/``clt.``) and of the configured client secret in every remaining string.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

MASK = "[redacted]"
MIN_SECRET_LEN = 6  # shorter values are not replaced by value (too many false hits)

_SUBSTRINGS = (
    "token",
    "secret",
    "password",
    "passwd",
    "signature",
    "verifier",
    "cookie",
    "authorization",
    "credential",
    "api_key",
    "apikey",
    "private",
    "upload_id",  # a resumable session's id is its bearer capability (YouTube's session URI)
    "uploadid",  # X-GUploader-UploadID echoes it
)
_EXACT = {"code", "sig", "key", "auth", "session", "otp", "totp", "x_amz_signature"}
_SAFE = {"token_type", "expires_in", "refresh_expires_in", "refresh_token_expires_in"}
_TOKEN_SHAPED = re.compile(r"\b(?:act|rft|clt)\.[A-Za-z0-9._~+/=!*-]{6,}")
_BEARER = re.compile(r"\b(Bearer|Basic)\s+\S+", re.IGNORECASE)
_INLINE_PARAM = re.compile(r"([?&;]|\b)([A-Za-z][\w.-]*)=([^&\s'\"<>,;]+)")
_JSON_PAIR = re.compile(r'"([^"\\]{1,64})"(\s*:\s*)"((?:[^"\\]|\\.)*)"')
_FORM = re.compile(r"^[\w.~%+-]+=[^&\s]*(?:&[\w.~%+-]+=[^&\s]*)*$")


@functools.lru_cache(maxsize=4096)
def is_secret_key(name: str) -> bool:
    """True when a key, header or parameter name holds a secret."""
    n = name.strip().lower().replace("-", "_")
    if n in _SAFE:
        return False
    return n in _EXACT or any(part in n for part in _SUBSTRINGS)


class Redactor:
    """Redacts one exchange or payload; remembers the secret values it has seen."""

    def __init__(self, known: Iterable[str] = ()) -> None:
        self.secrets: set[str] = {s for s in known if s and len(s) >= MIN_SECRET_LEN}
        self._ordered: list[str] | None = None

    def __call__(self, value: Any) -> Any:
        """Key pass, then value pass over the result."""
        return self.values(self.keys(value))

    def keys(self, value: Any, name: str | None = None) -> Any:
        """Replace the values of secret keys anywhere inside ``value`` (found under ``name``)."""
        if isinstance(value, dict):
            return {k: self._keyed(str(k), v, value, name) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.keys(v, name) for v in value]
        if isinstance(value, str):
            return self.string(value)
        return value

    def _keyed(self, key: str, value: Any, parent: dict[str, Any], name: str | None) -> Any:
        # TikTok's error objects {code, message, log_id} carry a harmless error code.
        if key.lower() == "code" and (name == "error" or "log_id" in parent or "message" in parent):
            return self.keys(value, key)
        if is_secret_key(key) and value not in (None, "", [], {}):
            self._remember(value)
            scheme = _BEARER.match(value) if isinstance(value, str) else None
            return f"{scheme.group(1)} {MASK}" if scheme else MASK
        return self.keys(value, key)

    def _remember(self, value: Any) -> None:
        if isinstance(value, str):
            token = _BEARER.sub(lambda m: m.group(0).split(None, 1)[1], value).strip()
            for candidate in (value, token):
                if len(candidate) >= MIN_SECRET_LEN and candidate not in self.secrets:
                    self.secrets.add(candidate)
                    self._ordered = None
        elif isinstance(value, dict | list | tuple):
            for item in value.values() if isinstance(value, dict) else value:
                self._remember(item)

    def string(self, text: str) -> str:
        """A string that may be JSON, a form body, a URL or a header value."""
        stripped = text.strip()
        if stripped[:1] in ("{", "[") and stripped[-1:] in ("}", "]"):
            try:
                parsed = json.loads(stripped)
            except ValueError:
                parsed = None
            if isinstance(parsed, dict | list):
                return json.dumps(self.keys(parsed), ensure_ascii=False)
        if stripped.lower().startswith(("http://", "https://")):
            return self.url(stripped)
        if "=" in stripped and _FORM.match(stripped):
            return self.form(stripped)
        return _BEARER.sub(self._bearer, text)

    def _bearer(self, match: re.Match[str]) -> str:
        self._remember(match.group(0))
        return f"{match.group(1)} {MASK}"

    def form(self, body: str) -> str:
        """A urlencoded body with secret parameters masked."""
        pairs = parse_qsl(body, keep_blank_values=True)
        return urlencode([(k, self._param(k, v)) for k, v in pairs], safe="[]")

    def url(self, url: str) -> str:
        """A URL with its secret query parameters (and any userinfo) masked."""
        parts = urlsplit(url)
        netloc = parts.netloc.rsplit("@", 1)[-1]
        if "@" in parts.netloc:
            self._remember(parts.netloc.rsplit("@", 1)[0])
        query = parts.query
        if query:
            pairs = parse_qsl(query, keep_blank_values=True)
            query = urlencode([(k, self._param(k, v)) for k, v in pairs], safe="[]")
        return urlunsplit((parts.scheme, netloc, parts.path, query, ""))

    def _param(self, key: str, value: str) -> str:
        if is_secret_key(key) and value:
            self._remember(value)
            return MASK
        return self.string(value) if value else value

    def values(self, value: Any) -> Any:
        """Replace every known secret value and token-shaped string inside ``value``."""
        if isinstance(value, dict):
            return {k: self.values(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.values(v) for v in value]
        if isinstance(value, str):
            return self.scrub(value)
        return value

    def scrub(self, text: str) -> str:
        """One string with known secrets and token-shaped values replaced."""
        if self._ordered is None:
            self._ordered = sorted(self.secrets, key=len, reverse=True)
        for secret in self._ordered:
            if secret in text:
                text = text.replace(secret, MASK)
        text = _TOKEN_SHAPED.sub(MASK, text)
        if '"' in text:
            text = _JSON_PAIR.sub(self._json_pair, text)
        return _INLINE_PARAM.sub(self._inline, text) if "=" in text else text

    @staticmethod
    def _json_pair(match: re.Match[str]) -> str:
        key, colon, value = match.groups()
        if is_secret_key(key) and value not in ("", MASK):
            return f'"{key}"{colon}"{MASK}"'
        return match.group(0)

    @staticmethod
    def _inline(match: re.Match[str]) -> str:
        lead, key, value = match.groups()
        if is_secret_key(key) and value != MASK:
            return f"{lead}{key}={MASK}"
        return match.group(0)


def redact(value: Any, known: Iterable[str] = ()) -> Any:
    """Redact a payload (dict, list or string); ``known`` are extra live secret values."""
    return Redactor(known)(value)
