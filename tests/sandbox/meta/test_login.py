"""Facebook Login: the dialog, code → short-lived → long-lived tokens, Page tokens."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import requests

from tests.sandbox.meta.support import IG_ID, PAGE_ID, REDIRECT, SCOPES, VERSION, Meta, error


def _dialog(meta: Meta, **params: str) -> requests.Response:
    query = {
        "client_id": meta.handle.state.config.app_id,
        "redirect_uri": REDIRECT,
        "state": "st-9",
        "scope": SCOPES,
        **params,
    }
    return meta.http.get(meta.handle.auth_url(VERSION), params=query)


def test_dialog_page_then_allow_redirects_with_code_and_state(meta: Meta) -> None:
    page = _dialog(meta)
    assert page.status_code == 200 and "Dana Demo" in page.text and "<script" not in page.text
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', page.text))
    answer = meta.http.post(
        meta.handle.auth_url(VERSION),
        data={**fields, "person": "dana", "decision": "allow"},
        allow_redirects=False,
    )
    assert answer.status_code == 302
    location = answer.headers["Location"]
    assert location.startswith(REDIRECT + "?") and location.endswith("#_=_")
    query = parse_qs(urlsplit(location).query)
    assert query["state"] == ["st-9"] and query["code"][0]


def test_cancel_returns_access_denied(meta: Meta) -> None:
    query = meta.authorize(decision="deny")
    assert query["error"] == "access_denied" and query["error_reason"] == "user_denied"
    assert query["state"] == "st-1" and "code" not in query


def test_dialog_refuses_unknown_redirect_missing_state_and_unknown_scope(meta: Meta) -> None:
    assert _dialog(meta, redirect_uri="https://evil.example/cb").status_code == 400
    assert "state is required" in _dialog(meta, state="").text
    assert "Invalid Scopes: user_posts" in _dialog(meta, scope="user_posts").text
    assert _dialog(meta, client_id="999").status_code == 400
    old = meta.http.get(meta.handle.auth_url("v12.0"), params={"client_id": "x"})
    assert old.status_code == 400


def test_config_id_grants_the_configured_permissions(meta: Meta) -> None:
    code = meta.authorize(scope="", config_id="sandbox-config")["code"]
    token = meta.exchange(code=code, redirect_uri=REDIRECT).json()["access_token"]
    granted = meta.call("GET", "me/permissions", token).json()["data"]
    assert {p["permission"] for p in granted} >= {"instagram_content_publish", "pages_manage_posts"}


def test_code_exchange_rules(meta: Meta) -> None:
    code = meta.authorize()["code"]
    wrong_uri = meta.exchange(code=code, redirect_uri=REDIRECT + "/x")
    assert error(wrong_uri) == (100, 36008)
    first = meta.exchange(code=code, redirect_uri=REDIRECT)
    body = first.json()
    assert body["token_type"] == "bearer" and 3500 <= body["expires_in"] <= 3600
    assert error(meta.exchange(code=code, redirect_uri=REDIRECT)) == (100, 36009)
    bad_secret = meta.exchange(client_secret="nope", code=meta.authorize()["code"])
    assert error(bad_secret) == (1, None)


def test_expired_code(meta: Meta) -> None:
    meta.handle.configure(code_ttl=0)
    resp = meta.exchange(code=meta.authorize()["code"], redirect_uri=REDIRECT)
    assert error(resp) == (100, 36007)


def test_long_lived_exchange_lasts_about_60_days_and_kills_the_short_token(meta: Meta) -> None:
    short = meta.short_token()
    resp = meta.exchange(grant_type="fb_exchange_token", fb_exchange_token=short)
    assert 5_180_000 <= resp.json()["expires_in"] <= 5_183_944
    long = resp.json()["access_token"]
    assert error(meta.call("GET", "me", short)) == (190, 458)
    assert meta.call("GET", "me", long).json()["name"] == "Dana Demo"
    again = meta.exchange(grant_type="fb_exchange_token", fb_exchange_token=long)
    assert again.status_code == 200 and again.json()["access_token"] != long


def test_accounts_list_pages_with_page_tokens_and_linked_ig(meta: Meta) -> None:
    token = meta.long_token()
    fields = "id,name,access_token,tasks,instagram_business_account{id,username}"
    data = meta.call("GET", "me/accounts", token, fields=fields).json()["data"]
    by_id = {p["id"]: p for p in data}
    assert by_id[PAGE_ID]["instagram_business_account"] == {"id": IG_ID, "username": "acme.studio"}
    assert "instagram_business_account" not in by_id["104000000000002"]
    assert "CREATE_CONTENT" in by_id[PAGE_ID]["tasks"]
    page = meta.call(
        "GET", PAGE_ID, by_id[PAGE_ID]["access_token"], fields="instagram_business_account"
    )
    assert page.json()["instagram_business_account"] == {"id": IG_ID}
    ig = meta.call("GET", IG_ID, token, fields="id,username,name,profile_picture_url").json()
    assert ig["username"] == "acme.studio" and ig["profile_picture_url"].endswith(".svg")


def test_page_token_from_a_long_lived_token_never_expires(meta: Meta) -> None:
    page_token = meta.page_token(meta.long_token())
    record = meta.handle.state.tokens[page_token]
    assert record.kind == "page" and record.expires_at is None
    assert meta.call("GET", "me", page_token).json() == {"id": PAGE_ID, "name": "Acme Studio"}


def test_accounts_need_pages_show_list(meta: Meta) -> None:
    code = meta.authorize(scope="instagram_basic")["code"]
    token = meta.exchange(code=code, redirect_uri=REDIRECT).json()["access_token"]
    resp = meta.call("GET", "me/accounts", token)
    assert resp.status_code == 403 and error(resp) == (200, None)


def test_other_peoples_pages_are_invisible(meta: Meta) -> None:
    token = meta.short_token("pat")
    assert error(meta.call("GET", PAGE_ID, token)) == (100, 33)
    assert error(meta.call("GET", IG_ID, token)) == (100, 33)
