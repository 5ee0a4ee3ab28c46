"""No dead end: the status page offers verification again, then what the verified page offers."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import parse_qsl, urlsplit

import requests
from sqlalchemy import select

from studio import db
from studio.privacy.models import DeletionLink, DeletionRequest, RequestStatus
from tests.helpers import csrf_token
from tests.privacy.conftest import file_by_email, file_request, outbox_mails


def _approve_at_sandbox(client, sandbox, started, creator: str = "acme"):
    assert started.status_code == 303, started.get_data(as_text=True)
    params = dict(parse_qsl(urlsplit(started.headers["Location"]).query))
    with requests.Session() as http:
        http.trust_env = False
        answer = http.post(
            sandbox.url + "/_sandbox/authorize",
            json={**params, "creator": creator, "decision": "approve"},
            timeout=10,
        )
    callback = urlsplit(answer.json()["redirect_url"])
    return client.get(f"{callback.path}?{callback.query}")


def _verify_from_status(client, code: str, **data: str):
    url = f"/data-deletion/status/{code}"
    return client.post(url, data={"csrf_token": csrf_token(client, url), **data})


def test_the_received_page_survives_a_reload_in_the_filing_browser(app, client):
    code, _ = file_request(client)
    client.get("/privacy")
    page = client.get("/data-deletion/received").get_data(as_text=True)
    assert code in page and "Verify with TikTok" in page


def test_the_filing_browser_verifies_from_the_status_page(app, client, sandbox, connected_account):
    code, _ = file_request(client)
    client.get("/")  # left the received page
    status = client.get(f"/data-deletion/status/{code}").get_data(as_text=True)
    assert "Verify with TikTok" in status and "waiting for you" in status
    assert 'name="name"' not in status  # this browser filed it: nothing to re-enter
    done = _approve_at_sandbox(client, sandbox, _verify_from_status(client, code))
    assert done.headers["Location"].endswith("/data-deletion/verified")
    status = client.get(f"/data-deletion/status/{code}").get_data(as_text=True)
    assert "Download my data" in status and "Delete my data now" in status
    assert client.get("/data-deletion/export").status_code == 200


def test_another_browser_verifies_after_naming_the_account_again(
    app, client, sandbox, connected_account
):
    code, _ = file_request(client, name="Acme Studio")
    other = app.test_client()
    status = other.get(f"/data-deletion/status/{code}").get_data(as_text=True)
    assert 'name="name"' in status and "Verify with TikTok" in status
    wrong = _verify_from_status(other, code, name="Someone Else")
    assert wrong.status_code == 400
    assert "not the name given in this request" in wrong.get_data(as_text=True)
    done = _approve_at_sandbox(other, sandbox, _verify_from_status(other, code, name="acme studio"))
    assert done.headers["Location"].endswith("/data-deletion/verified")
    with app.app_context():
        assert db.session.scalar(select(DeletionRequest.status)) == RequestStatus.VERIFIED
    # The filing browser sees the new state, but holds no verified mark of its own.
    page = client.get(f"/data-deletion/status/{code}").get_data(as_text=True)
    assert "Verify with TikTok" not in page and "Download my data" not in page


def test_an_email_request_gets_a_new_link_from_the_status_page(app, client, users):
    code = file_by_email(client, "staff@example.com")
    other = app.test_client()
    assert _verify_from_status(other, code, name="nobody@example.org").status_code == 400
    sent = _verify_from_status(other, code, name="Staff@Example.com")
    assert sent.status_code == 303
    assert "We sent a new confirmation link" in other.get(sent.headers["Location"]).text
    assert len(outbox_mails(app)) == 2
    link = re.search(r"http://localhost(/data-deletion/email/\S+)", outbox_mails(app)[1]).group(1)
    confirmed = other.post(link, data={"csrf_token": csrf_token(other, link)})
    assert confirmed.headers["Location"] == "/data-deletion/verified"


def test_the_email_names_the_code_the_status_page_and_the_exact_expiry(app, client, users):
    code = file_by_email(client, "owner@example.org")
    (body,) = outbox_mails(app)
    grouped = " ".join(code[i : i + 4] for i in range(0, len(code), 4))
    assert grouped in body
    assert re.search(r"http://localhost/data-deletion/status(?!/)", body)
    assert code not in re.findall(r"https?://\S+", body)[1]  # the status link carries no code
    assert "few hours" not in body
    with app.app_context():
        expires = db.session.scalar(select(DeletionLink.expires_at))
    assert expires - dt.datetime.now(dt.UTC) > dt.timedelta(hours=23)
    assert f"{expires:%A %d %B %Y, %H:%M} UTC" in body
