"""gunicorn settings for Social Studio (sync workers behind a buffering reverse proxy)."""

import multiprocessing
import os

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
# Logs go to stdout/stderr (journald); access logs omit query strings, which can hold signed media
# URLs' signatures, and name the worker's pid (which worker served what, e.g. after a timeout).
accesslog = "-"
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms %(p)s'
errorlog = "-"
forwarded_allow_ips = os.environ.get("STUDIO_FORWARDED_ALLOW_IPS", "127.0.0.1")
wsgi_app = "wsgi:app"
