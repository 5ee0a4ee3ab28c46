"""SQL metacharacters and hostile numbers in every filter and query-string parameter of the lists.

Each answer is 200 (the value is ignored or matches nothing), the page's readable 404, or the
readable 400 for a NUL; never a 500 or a database error. No row changes, and a LIKE filter
treats % and _ as plain characters.
"""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from studio.audit import Action, Actor, record
from studio.security import NUL_MESSAGE
from tests.adversarial.conftest import Snapshot

PAYLOADS = [
    "' OR '1'='1",
    "1; DROP TABLE users; --",
    "1 UNION SELECT password_hash FROM users --",
    '" OR ""="',
    "%",
    "_",
    "\\",
    "\x00",
    "99999999999999999999999999",
    "9223372036854775808",
    "2147483648",
    "-1",
    "²",
    "٣",
    "1e3",
    "0x10",
    "' || (SELECT sqlite_version()) || '",
    "x" * 5000,
]

LEAKS = ("Traceback", "OperationalError", "ProgrammingError", "sqlalchemy", "psycopg", "sqlite3")

# page -> the query-string parameters it reads (and a few it does not, which must be ignored).
LIST_PARAMS = {
    "/audit/": [
        "account",
        "kind",
        "actor",
        "errors",
        "since",
        "until",
        "text",
        "post",
        "before",
        "after",
    ],
    "/posts/": ["page", "before", "after", "status", "q"],
    "/posts/status.json": ["ids"],
    "/posts/new": ["video_id"],
    "/videos/": ["page", "before", "after", "q"],
    "/privacy/requests": ["status", "q", "page"],
    "/staff/": ["q", "role", "page"],
    "/data-deletion/status": ["started", "code"],
}
CASES = [(page, name) for page, names in LIST_PARAMS.items() for name in names]


@pytest.fixture
def app(make_app) -> Flask:
    """No sandbox needed; the status lookup's anti-guessing limit is out of the loop's way."""
    return make_app(DELETION_STATUS_RATE_LIMIT="1000 per minute")


@pytest.fixture
def seeded(app: Flask, admin_client: FlaskClient, make_stored_video) -> FlaskClient:
    """Some rows to (not) leak: a video and audit entries whose text has no % or _."""
    make_stored_video()
    with app.app_context():
        for n in range(3):
            record(Action.USER_UPDATED, actor=Actor.system(), summary=f"plain entry {n}")
    return admin_client


def test_metacharacters_never_break_a_list(app: Flask, seeded: FlaskClient) -> None:
    before = Snapshot(app)
    for page, name in CASES:
        for payload in PAYLOADS:
            response = seeded.get(page, query_string={name: payload})
            body = response.get_data(as_text=True)
            # /posts/new names one video: a value that is no video id finds none.
            expected = 404 if page == "/posts/new" else 200
            if "\x00" in payload:
                expected = 400  # refused before any view (studio.security.refuse_nul)
            assert response.status_code == expected, (page, name, payload)
            assert not any(word in body for word in LEAKS), (page, name, payload)
            if expected == 400:
                assert NUL_MESSAGE in body
            if expected == 404:
                assert "There is nothing at this address." in body
            if page == "/posts/status.json" and expected == 200:
                assert response.get_json() == {"posts": []}
    before.assert_unchanged()


@pytest.mark.parametrize("wildcard", ["%", "_", "%%", "\\%"])
def test_like_wildcards_are_literal_in_the_audit_text_filter(
    app: Flask, seeded: FlaskClient, wildcard: str
) -> None:
    response = seeded.get("/audit/", query_string={"text": wildcard})
    assert response.status_code == 200
    assert "plain entry" not in response.get_data(as_text=True)
    control = seeded.get("/audit/", query_string={"text": "plain"})
    assert control.get_data(as_text=True).count("plain entry") == 3
