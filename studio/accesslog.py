"""Access-log redaction: bearer values in paths and every query string never reach a log line.

A route whose URL carries a bearer value (an e-mailed link token, a confirmation code, a signed
media token) declares it with the ``bearer`` converter: ``/data-deletion/status/<bearer:code>``.
``redact`` replaces those path segments with ``[redacted]`` and drops query strings (OAuth
callbacks carry ``code`` and ``state`` there). The development server's lines, urllib3's DEBUG
lines and gunicorn's access log (``deploy/gunicorn.conf.py``) all go through it.
"""

from __future__ import annotations

import logging
import re

from flask import Flask
from werkzeug.routing import BaseConverter, Rule

REDACTED = "[redacted]"
_QUERY = re.compile(r"(/[^\s?\"]*)\?[^\s\"\x1b]*")
_VARIABLE = re.compile(r"<(?:([a-zA-Z_][a-zA-Z0-9_]*)(?:\([^)]*\))?:)?([a-zA-Z_][a-zA-Z0-9_]*)>")
# Compiled from every app built in this process (one per gunicorn worker in production).
_BEARER_ROUTES: dict[str, re.Pattern[str]] = {}


class BearerConverter(BaseConverter):
    """A path segment that grants access to whoever holds it: redacted from every log."""


def _pattern(rule: str) -> re.Pattern[str]:
    """A regex finding ``rule``'s path in a log line; group 1 up to each bearer segment."""
    parts, last = [], 0
    for match in _VARIABLE.finditer(rule):
        parts.append(re.escape(rule[last : match.start()]))
        bearer = match.group(1) == "bearer"
        parts.append(r")([^/?#\s\"]+)(" if bearer else r"[^/?#\s\"]+")
        last = match.end()
    parts.append(re.escape(rule[last:]))
    return re.compile("(" + "".join(parts) + ")")


def index_bearer_routes(app: Flask) -> None:
    """Remember the app's routes that carry bearer segments (call once its rooms are in)."""
    for rule in app.url_map.iter_rules():
        if _has_bearer(rule):
            _BEARER_ROUTES.setdefault(rule.rule, _pattern(rule.rule))


def _has_bearer(rule: Rule) -> bool:
    return any(isinstance(c, BearerConverter) for c in (rule._converters or {}).values())


def _mask(match: re.Match[str]) -> str:
    groups = match.groups()
    return "".join(g if i % 2 == 0 else REDACTED for i, g in enumerate(groups))


def redact(text: str) -> str:
    """``text`` (a path, a request line or a whole log line) without bearer values or queries."""
    if "?" in text:
        text = _QUERY.sub(r"\1", text)
    for pattern in _BEARER_ROUTES.values():
        text = pattern.sub(_mask, text)
    return text


class RedactPaths(logging.Filter):
    """A log filter applying ``redact`` to each record's message."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


def init_app(app: Flask) -> None:
    """Register the converter; the access-log filters on werkzeug's and urllib3's loggers."""
    app.url_map.converters["bearer"] = BearerConverter
    for name in ("werkzeug", "urllib3.connectionpool"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactPaths) for f in logger.filters):
            logger.addFilter(RedactPaths())
