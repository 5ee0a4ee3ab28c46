"""gunicorn settings for Social Studio (sync workers behind a buffering reverse proxy)."""

import multiprocessing
import os

from gunicorn.glogging import Logger

from studio.accesslog import REDACTED, redact


class RedactingLogger(Logger):
    """gunicorn's logger, with every access-log value passed through studio's redaction.

    The request line, path, query, referrer and any header a format may name can carry a
    bearer value (an e-mailed link token, a confirmation code, a media token).
    """

    def atoms(self, resp, req, environ, request_time):  # type: ignore[no-untyped-def]
        values = super().atoms(resp, req, environ, request_time)
        cleaned = {k: redact(v) if isinstance(v, str) else v for k, v in values.items()}
        for key in ("q", "{query_string}e"):  # a bare query string: drop it like redact() does
            if cleaned.get(key):
                cleaned[key] = REDACTED
        return cleaned


bind = os.environ.get("STUDIO_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("STUDIO_WEB_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
# Uploads arrive in parts of a few MiB each (resumable); a part that takes longer than this is
# a stalled client, and the browser resumes from the committed offset.
timeout = int(os.environ.get("STUDIO_WEB_TIMEOUT", 120))
graceful_timeout = 30
keepalive = 5
max_requests = 2000
max_requests_jitter = 200
# Logs go to stdout/stderr (journald). Access lines name the worker's pid (which worker served
# what, e.g. after a timeout); RedactingLogger removes bearer path segments and query strings
# from every value, whatever the format names.
accesslog = "-"
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms %(p)s'
logger_class = RedactingLogger
errorlog = "-"
forwarded_allow_ips = os.environ.get("STUDIO_FORWARDED_ALLOW_IPS", "127.0.0.1")
wsgi_app = "wsgi:app"
