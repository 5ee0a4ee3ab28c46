"""Facebook Login, token exchanges, the person, Pages with their IG accounts, revoke."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from studio.platforms.meta.client import MetaClient
from studio.platforms.meta.errors import GraphError, LoginError, TokenInvalid, retry_action
from studio.platforms.meta.wire import appsecret_proof
from studio.platforms.retry import RetryAction
from studio.sandbox.server import SandboxServer
from studio.transport import Exchange
from tests.platforms.meta.support import (
    IG_ID,
    PAGE_ID,
    REDIRECT,
    SCOPE_LIST,
    acme_page,
    dialog,
    login,
)


def test_authorize_url_names_the_app_scopes_and_version(client: MetaClient) -> None:
    url = client.authorize_url(REDIRECT, SCOPE_LIST, "st-1")
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert parts.path.endswith("/meta/v27.0/dialog/oauth")
    assert query == {
        "client_id": client.app_id,
        "redirect_uri": REDIRECT,
        "state": "st-1",
        "response_type": "code",
        "scope": ",".join(SCOPE_LIST),
    }
    business = parse_qs(urlsplit(client.authorize_url(REDIRECT, [], "s", config_id="c1")).query)
    assert business["config_id"] == ["c1"] and "scope" not in business


def test_code_then_long_lived_token(
    client: MetaClient, http: requests.Session, seen: list[Exchange]
) -> None:
    code = dialog(http, client.authorize_url(REDIRECT, SCOPE_LIST, "st-1"))["code"]
    short = client.exchange_code(code, REDIRECT)
    assert 3590 <= (short.expires_in or 0) <= 3600 and short.access_token not in repr(short)
    long = client.long_lived(short.access_token)
    assert 5_183_000 <= (long.expires_in or 0) <= 5_183_944
    assert client.me(long.access_token).name == "Dana Demo"
    oauth = [e for e in seen if e.kind == "oauth"]
    assert [e.method for e in oauth] == ["POST", "POST"]
    assert all(e.url.endswith("/v27.0/oauth/access_token") for e in oauth)
    assert oauth[1].request_body and oauth[1].request_body["grant_type"] == "fb_exchange_token"
    with pytest.raises(TokenInvalid) as dead:  # the sandbox kills the exchanged token
        client.me(short.access_token)
    assert retry_action(dead.value) is RetryAction.RECONNECT


def test_a_used_code_or_another_redirect_is_a_login_error(
    client: MetaClient, http: requests.Session
) -> None:
    code = dialog(http, client.authorize_url(REDIRECT, SCOPE_LIST, "st-1"))["code"]
    client.exchange_code(code, REDIRECT)
    with pytest.raises(LoginError) as used:
        client.exchange_code(code, REDIRECT)
    assert used.value.graph_code == 100 and used.value.log_id
    assert retry_action(used.value) is RetryAction.RECONNECT and "connect again" in used.value.plain
    other = dialog(http, client.authorize_url(REDIRECT, SCOPE_LIST, "st-2"))["code"]
    with pytest.raises(LoginError):
        client.exchange_code(other, "https://elsewhere.example/meta/callback")


def test_a_wrong_app_secret_is_terminal(sbx: SandboxServer, http: requests.Session) -> None:
    cfg = sbx.meta.state.config
    graph, up = sbx.meta.graph, sbx.meta.rupload
    with MetaClient(cfg.app_id, "wrong", "v27.0", "", graph, up, 10, lambda _e: None) as bad:
        bad.transport.http.trust_env = False
        with pytest.raises(LoginError) as refused:
            bad.exchange_code("AQ-anything", REDIRECT)
    assert refused.value.graph_code == 1 and retry_action(refused.value) is RetryAction.TERMINAL


def test_pages_bring_page_tokens_and_the_linked_instagram_account(
    client: MetaClient, http: requests.Session
) -> None:
    token = login(client, http)
    pages = {p.id: p for p in client.pages(token)}
    acme, outlet = pages[PAGE_ID], pages["104000000000002"]
    assert (acme.name, outlet.name) == ("Acme Studio", "Acme Outlet")
    assert acme.picture_url.endswith(f"/meta/picture/page/{PAGE_ID}.svg") and acme.can_publish
    assert acme.instagram is not None and outlet.instagram is None
    assert (acme.instagram.id, acme.instagram.username) == (IG_ID, "acme.studio")
    assert acme.instagram.picture_url.endswith(f"/ig/{IG_ID}.svg")
    assert acme.access_token and acme.access_token not in repr(acme)
    ig = client.instagram_account(token, IG_ID)
    assert ig == acme.instagram
    assert client.me(acme.access_token).id == PAGE_ID  # the Page token works as the Page
    assert [p.id for p in client.pages(login(client, http, "nobody"))] == []


def test_every_graph_call_sends_the_token_in_the_header_with_its_proof(
    client: MetaClient, http: requests.Session, seen: list[Exchange], sbx: SandboxServer
) -> None:
    token = login(client, http)
    page = acme_page(client, token)
    client.instagram_account(token, IG_ID)
    client.me(token)
    client.start_page_reel(page.access_token, PAGE_ID)
    graph = [e for e in seen if e.kind == "api"]
    assert len(graph) == 4
    for exchange in graph:
        sent = exchange.request_headers["Authorization"].removeprefix("Bearer ")
        query = parse_qs(urlsplit(exchange.url).query)
        proof = appsecret_proof(sbx.meta.state.config.app_secret, sent)
        assert query["appsecret_proof"] == [proof] and sbx.meta.proof(sent) == proof
        assert sent not in exchange.url and "access_token" not in str(exchange.request_body)


def test_revoke_removes_the_grant_and_a_second_revoke_says_so(
    client: MetaClient, http: requests.Session, seen: list[Exchange]
) -> None:
    token = login(client, http)
    page = acme_page(client, token)
    assert client.revoke_permissions(token) is True
    assert seen[-1].method == "DELETE" and seen[-1].url.split("?")[0].endswith("/me/permissions")
    for dead in (token, page.access_token):
        with pytest.raises(TokenInvalid) as gone:
            client.me(dead)
        assert gone.value.code == "190/458" and retry_action(gone.value) is RetryAction.RECONNECT
    assert seen[-1].code == "190/458" and seen[-1].log_id == gone.value.log_id
    assert client.revoke_permissions(token) is False


def test_a_wrong_proof_is_refused(sbx: SandboxServer, http: requests.Session) -> None:
    cfg = sbx.meta.state.config
    graph, up, auth = sbx.meta.graph, sbx.meta.rupload, sbx.meta.auth_url()
    with MetaClient(
        cfg.app_id, cfg.app_secret, "v27.0", auth, graph, up, 10, lambda _e: None
    ) as ok:
        ok.transport.http.trust_env = False
        token = login(ok, http)
    with MetaClient(cfg.app_id, "other", "v27.0", "", graph, up, 10, lambda _e: None) as bad:
        bad.transport.http.trust_env = False
        with pytest.raises(GraphError) as refused:
            bad.me(token)
    assert refused.value.code == "100" and "appsecret_proof" in refused.value.message
    assert retry_action(refused.value) is RetryAction.TERMINAL
