"""Security headers, proxy handling, host checks, NUL refused; absolute URLs from PUBLIC_URL."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, current_app, redirect, request
from werkzeug.exceptions import BadRequest
from werkzeug.middleware.proxy_fix import ProxyFix

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
NUL_MESSAGE = "The request contains an invisible NUL character. Remove it and try again."


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def content_security_policy(app: Flask) -> str:
    """The CSP: scripts and styles from our origin only, no framing, forms to us and TikTok."""
    auth_origin = _origin(app.config["TIKTOK_AUTH_URL"])
    directives = {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self'",
        "img-src": "'self' data: https:"
        + (f" {auth_origin}" if auth_origin.startswith("http:") else ""),
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


def refuse_nul() -> None:
    """400 for a NUL in the path, the query or a form field, before any view or query runs.

    PostgreSQL cannot store NUL in text and raises on it; no field of ours needs one. JSON
    bodies are left to their views (the upload API cleans its file name).
    """
    values = [request.path, *(v for _, vs in request.args.lists() for v in vs)]
    if request.mimetype in FORM_TYPES:
        values += [v for _, vs in request.form.lists() for v in vs]
    if any("\x00" in value for value in values):
        error = BadRequest()
        error.studio_message = NUL_MESSAGE
        raise error


def canonical_host() -> Response | None:
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
    app.before_request(refuse_nul)
    if app.config["ENV"] == "demo":
        app.before_request(canonical_host)
    csp = content_security_policy(app)
    hsts = app.config["ENV"] == "production"

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", csp)
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
