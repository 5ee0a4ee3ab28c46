"""Security headers, proxy handling, host checks; NUL and lone surrogates refused in every
text that comes in (path, query, form, JSON); absolute URLs from PUBLIC_URL."""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, redirect, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response as BaseResponse

from studio.errors import StudioBadRequest

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
NUL_MESSAGE = "The request contains an invisible NUL character. Remove it and try again."
SURROGATE_MESSAGE = "The request contains a broken character (a lone surrogate). Remove it."
# A lone surrogate is not text: UTF-8 cannot encode it, so the database driver raises on it.
# JSON's "\ud800" escape is how one arrives (UTF-8 bytes of one are replaced while decoding).
_SURROGATE = re.compile("[\ud800-\udfff]")
MAX_JSON_DEPTH = 32  # no inbound JSON of ours nests deeper (TikTok's envelope: 2)


def text_problem(value: str) -> str | None:
    """Why ``value`` cannot be stored as text (NUL, lone surrogate), or None."""
    if "\x00" in value:
        return NUL_MESSAGE
    if _SURROGATE.search(value):
        return SURROGATE_MESSAGE
    return None


def strict_json(raw: str | bytes, *, allow_nul: bool = False) -> Any:
    """``json.loads`` that refuses lone surrogates (and NUL unless ``allow_nul``) in any key or
    string, nesting deeper than MAX_JSON_DEPTH, and duplicate keys; each is a ValueError."""
    try:
        value = json.loads(raw, object_pairs_hook=_unique_keys)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise ValueError("JSON nested too deeply")
        if isinstance(item, dict):
            stack.extend((k, depth + 1) for k in item)
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
        elif isinstance(item, str) and (problem := text_problem(item)):
            if not (allow_nul and problem == NUL_MESSAGE and not _SURROGATE.search(item)):
                raise ValueError(problem)
    return value


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # Two readers of one object must never disagree on which duplicate counts.
    result = dict(pairs)
    if len(result) != len(pairs):
        raise ValueError("JSON object with a duplicate key")
    return result


class StrictJSONProvider(DefaultJSONProvider):
    """``request.get_json`` through ``strict_json``: bad text is a 400 (None when silent).

    NUL is left to the views here: the upload API cleans it out of file names.
    """

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return strict_json(s, allow_nul=True)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def allow_auth_origin(app: Flask, url: str) -> None:
    """Let the connect buttons' redirects reach another platform's consent page (form-action).

    Platforms call it from their init_app, before the first request builds the CSP.
    """
    origins: list[str] = app.extensions.setdefault("auth_origins", [])
    if _origin(url) not in origins:
        origins.append(_origin(url))


def content_security_policy(app: Flask) -> str:
    """The CSP: scripts and styles from our origin only, no framing, forms to us and the
    platforms' consent pages (TikTok's, and those added by `allow_auth_origin`)."""
    auth_origin = " ".join(
        dict.fromkeys(
            [_origin(app.config["TIKTOK_AUTH_URL"]), *app.extensions.get("auth_origins", [])]
        )
    )
    local = " ".join(o for o in auth_origin.split() if o.startswith("http:"))
    directives = {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self'",
        "img-src": "'self' data: https:" + (f" {local}" if local else ""),
        "media-src": "'self' blob:",
        "connect-src": "'self'",
        "font-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        # Chrome applies form-action to the redirect after a POST: the connect button's
        # redirect goes to TikTok's authorize page.
        "form-action": f"'self' {auth_origin}",
        "frame-ancestors": "'none'",
    }
    return "; ".join(f"{k} {v}" for k, v in directives.items())


def external_url(endpoint: str, *, base: str | None = None, **values: object) -> str:
    """The absolute URL of ``endpoint``: PUBLIC_URL (or ``base``) + its path.

    Every absolute URL the app writes (e-mails, webhook replies, OAuth redirect URIs, media
    URLs) is built here, never from the request's Host header, which a client chooses. It
    works without a request too (jobs, commands).
    """
    parts = urlsplit((base or current_app.config["PUBLIC_URL"]).rstrip("/"))
    adapter = current_app.url_map.bind(
        parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme
    )
    return adapter.build(endpoint, values, force_external=True)


def restrict_files(instance: Path, *, recursive: bool = False) -> None:
    """Owner-only files: umask 0o077 for all this process creates from now on (database, WAL,
    keys, outbox, uploads, seals, logs), and group/other bits stripped from what exists.

    ``instance/`` is tracked in git (.gitkeep), so a checkout makes it 0755 and ``mkdir(0o700)``
    never applies. At start-up the folder and its direct entries are fixed (cheap; a 0700
    folder hides the rest); ``flask init`` fixes the whole tree, files of older versions too.
    """
    os.umask(0o077)
    instance.mkdir(mode=0o700, parents=True, exist_ok=True)
    entries = instance.rglob("*") if recursive else instance.iterdir()
    for path in [instance, *entries]:
        mode = path.lstat().st_mode
        if not stat.S_ISLNK(mode) and stat.S_IMODE(mode) & 0o077:
            path.chmod(stat.S_IMODE(mode) & 0o700)


def refuse_nul() -> None:
    """400 for a NUL or lone surrogate in the path, the query or a form field, before any view
    or query runs.

    PostgreSQL cannot store NUL in text and raises on it; no field of ours needs one. JSON
    bodies are parsed by ``strict_json`` (the app's JSON provider, and the webhooks).
    """
    values = [request.path, *(v for _, vs in request.args.lists() for v in vs)]
    if request.mimetype in FORM_TYPES:
        values += [v for _, vs in request.form.lists() for v in vs]
    for value in values:
        if problem := text_problem(value):
            raise StudioBadRequest(problem)


def canonical_host() -> BaseResponse | None:
    """Demo only: a page opened under another name (localhost) moves to PUBLIC_URL's host.

    Links, OAuth callbacks and cookies all follow PUBLIC_URL; a browser that started on
    another host name would come back from TikTok without its cookie. Production refuses
    other hosts outright (TRUSTED_HOSTS).
    """
    public = urlsplit(current_app.config["PUBLIC_URL"])
    if request.method not in ("GET", "HEAD") or request.host == public.netloc:
        return None
    return redirect(public.geturl() + request.full_path.rstrip("?"), 302)


def init_app(app: Flask) -> None:
    """Install ProxyFix (as configured) and the response-header hook."""
    proxies = {
        "x_for": int(app.config["PROXY_FIX_X_FOR"]),
        "x_proto": int(app.config["PROXY_FIX_X_PROTO"]),
        "x_host": int(app.config["PROXY_FIX_X_HOST"]),
    }
    if any(proxies.values()):
        app.wsgi_app = ProxyFix(app.wsgi_app, **proxies)  # type: ignore[method-assign]
    app.json = StrictJSONProvider(app)
    app.before_request(refuse_nul)
    if app.config["ENV"] == "demo":
        app.before_request(canonical_host)
    csp: list[str] = []  # built at the first response, once every platform registered
    hsts = app.config["ENV"] == "production"

    @app.after_request
    def _headers(response: Response) -> Response:
        if not csp:
            csp.append(content_security_policy(app))
        response.headers.setdefault("Content-Security-Policy", csp[0])
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        if hsts:
            response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        if "Cache-Control" not in response.headers and response.mimetype == "text/html":
            response.headers["Cache-Control"] = "no-store"
        return response
