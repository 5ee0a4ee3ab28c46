"""The public deletion flow's bearer values: single-use links, nothing in the cookie, no replay."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text, update

from studio import db
from studio.privacy import codes
from studio.privacy.models import DeletionBrowser, DeletionRequest, RequestStatus
from tests.helpers import csrf_token
from tests.privacy.conftest import (
    LOOSE_LIMITS,
    delete_now,
    file_by_email,
    file_request,
    mailed_links,
    verify_with_tiktok,
)

USED = "This link has already been used. Follow your request with its confirmation code"


@pytest.fixture
def app(make_sandbox_app) -> Flask:
    return make_sandbox_app(**LOOSE_LIMITS)


def use_link(client: FlaskClient, link: str):
    token = csrf_token(client, "/data-deletion")
    return client.post(link, data={"csrf_token": token})


def session_cookie(app: Flask, client: FlaskClient) -> str:
    """The decoded content of Flask's session cookie, as text ('' when there is none)."""
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    if cookie is None:
        return ""
    data = app.session_interface.get_signing_serializer(app).loads(cookie.value)
    return repr(data)


def assert_nothing_granted(client: FlaskClient) -> None:
    assert client.get("/data-deletion/verified").status_code == 403
    assert client.get("/data-deletion/export").status_code == 403
    token = csrf_token(client, "/data-deletion")
    assert client.post("/data-deletion/confirm", data={"csrf_token": token}).status_code == 403


def test_an_email_link_works_once_then_grants_nothing_in_any_browser(app, users) -> None:
    file_by_email(app.test_client())
    (link,) = mailed_links(app)
    first = app.test_client()
    assert use_link(first, link).headers["Location"] == "/data-deletion/verified"
    second = app.test_client()
    page = second.get(link)
    assert page.status_code == 200 and "Link already used" in page.text
    refused = use_link(second, link)
    assert refused.status_code == 410 and USED in refused.text
    assert_nothing_granted(second)
    assert first.get("/data-deletion/export").status_code == 200  # the first use still holds


def test_an_email_link_after_the_request_completed_grants_nothing(app, users) -> None:
    file_by_email(app.test_client())
    (link,) = mailed_links(app)
    first = app.test_client()
    use_link(first, link)
    assert delete_now(first).status_code == 303
    with app.app_context():
        assert db.session.scalar(select(DeletionRequest.status)) == RequestStatus.COMPLETED
    other = app.test_client()
    assert use_link(other, link).status_code == 410
    assert_nothing_granted(other)


def test_two_uses_of_one_link_racing_one_wins(app, users) -> None:
    file_by_email(app.test_client())
    (link,) = mailed_links(app)
    clients = [app.test_client() for _ in range(2)]
    tokens = [csrf_token(c, "/data-deletion") for c in clients]
    start, answers = threading.Barrier(2), []

    def use(i: int) -> None:
        start.wait()
        answers.append(clients[i].post(link, data={"csrf_token": tokens[i]}).status_code)

    threads = [threading.Thread(target=use, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(answers) == [303, 410]


def test_link_tokens_and_codes_are_stored_only_hashed(app, users) -> None:
    code = file_by_email(app.test_client())
    (link,) = mailed_links(app)
    token = link.rsplit("/", 1)[1]
    with app.app_context():
        tables = ("deletion_links", "deletion_browsers", "deletion_requests")
        dump = repr([db.session.execute(text(f"SELECT * FROM {t}")).all() for t in tables])
    assert token not in dump and code not in dump and codes.hash_token(token) in dump


def test_the_cookie_never_holds_a_code_a_link_token_or_a_verified_mark(
    app, users, sandbox, connected_account
) -> None:
    client = app.test_client()
    seen = []
    code, _ = file_request(client)
    seen.append(session_cookie(app, client))
    client.get(f"/data-deletion/status/{code}")
    seen.append(session_cookie(app, client))
    assert verify_with_tiktok(client, sandbox).status_code == 303
    seen.append(session_cookie(app, client))
    client.get("/data-deletion/verified")
    seen.append(session_cookie(app, client))
    delete_now(client)
    seen.append(session_cookie(app, client))
    by_mail = app.test_client()
    mail_code = file_by_email(by_mail)
    seen.append(session_cookie(app, by_mail))
    (link,) = mailed_links(app)
    use_link(by_mail, link)
    seen.append(session_cookie(app, by_mail))
    secrets = [code, codes.grouped(code), mail_code, link.rsplit("/", 1)[1], "verified", "until"]
    leaks = [(i, s) for i, cookie in enumerate(seen) for s in secrets if s in cookie]
    assert leaks == [], seen


def test_a_saved_verified_cookie_replays_nothing_after_confirmation(
    app, users, sandbox, connected_account
) -> None:
    client = app.test_client()
    file_request(client)
    assert verify_with_tiktok(client, sandbox).status_code == 303
    saved = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    assert delete_now(client).status_code == 303
    replay = app.test_client()
    replay.set_cookie(app.config["SESSION_COOKIE_NAME"], saved)
    assert_nothing_granted(replay)


def test_the_verified_mark_ends_at_its_expiry(app, users) -> None:
    client = app.test_client()
    file_by_email(client)
    (link,) = mailed_links(app)
    use_link(client, link)
    assert client.get("/data-deletion/verified").status_code == 200
    with app.app_context():
        past = db.utcnow() - dt.timedelta(seconds=1)
        db.session.execute(update(DeletionBrowser).values(verified_until=past))
        db.session.commit()
    assert_nothing_granted(client)


def test_the_verified_mark_is_bound_to_the_browser_that_verified(app, users) -> None:
    filer = app.test_client()
    code = file_by_email(filer)
    (link,) = mailed_links(app)
    use_link(app.test_client(), link)  # verified elsewhere
    assert_nothing_granted(filer)
    page = filer.get(f"/data-deletion/status/{code}").get_data(as_text=True)
    assert "Download my data" not in page
