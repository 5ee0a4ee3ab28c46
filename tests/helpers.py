"""Small builders and helpers shared by tests."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

ADMIN_PASSWORD = "correct horse battery staple admin"
STAFF_PASSWORD = "violet tangerine rowboat cathedral"

_CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def csrf_token(client: FlaskClient, url: str) -> str:
    """GET ``url`` and return the CSRF token from its first form."""
    response = client.get(url)
    match = _CSRF.search(response.get_data(as_text=True))
    assert match, f"no csrf token on {url} ({response.status_code})"
    return match.group(1)


def extract_csrf(html: str) -> str:
    """The CSRF token embedded in a page."""
    match = _CSRF.search(html)
    assert match, "no csrf token in page"
    return match.group(1)
