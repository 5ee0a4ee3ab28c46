"""Meta's retry table case by case, usage headers, and faults classified over real HTTP."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import requests
from requests.structures import CaseInsensitiveDict

from studio.platforms.meta.client import MetaClient
from studio.platforms.meta.errors import (
    DEFAULT_REGAIN,
    InvalidReel,
    LoginError,
    MetaError,
    NotVisible,
    RateLimited,
    RuploadError,
    Transient,
    graph_error,
    retry_action,
    retry_at,
)
from studio.platforms.meta.results import Usage
from studio.platforms.meta.wire import usage
from studio.platforms.retry import RetryAction
from studio.sandbox.server import SandboxServer
from studio.transport import Exchange, InvalidResponse, TransportError
from tests.platforms.meta.support import IG_ID, PAGE_ID, acme_page, login

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("exc", "action"),
    [
        (TransportError("timeout"), RetryAction.BACKOFF),
        (TransportError("connection"), RetryAction.BACKOFF),
        (graph_error(190, "expired", 400, subcode=463), RetryAction.RECONNECT),
        (graph_error(190, "app removed", 400, subcode=458), RetryAction.RECONNECT),
        (graph_error(190, "cannot parse", 400), RetryAction.RECONNECT),
        (graph_error(200, "(#200) Requires pages_manage_posts", 403), RetryAction.RECONNECT),
        (graph_error(10, "Permission denied", 400), RetryAction.RECONNECT),
        (graph_error(4, "Application request limit", 400, transient=True), RetryAction.NEXT_WINDOW),
        (graph_error(17, "User request limit", 400), RetryAction.NEXT_WINDOW),
        (graph_error(32, "Page request limit", 400), RetryAction.NEXT_WINDOW),
        (graph_error(613, "rate limit", 400), RetryAction.NEXT_WINDOW),
        (graph_error(80002, "Instagram BUC", 400), RetryAction.NEXT_WINDOW),
        (graph_error(80001, "Pages BUC", 400), RetryAction.NEXT_WINDOW),
        (graph_error(100, "no object", 400, subcode=33, read=True), RetryAction.BACKOFF),
        (graph_error(100, "no object", 400, subcode=33), RetryAction.TERMINAL),
        (graph_error(1, "unknown", 500, transient=True), RetryAction.BACKOFF),
        (graph_error(2, "unavailable", 503, transient=True), RetryAction.BACKOFF),
        (graph_error(999, "odd", 502), RetryAction.BACKOFF),
        (graph_error(999, "odd but transient", 400, transient=True), RetryAction.BACKOFF),
        (graph_error(9007, "not ready", 400, subcode=2207027), RetryAction.BACKOFF),
        (graph_error(-2, "download timeout", 400, subcode=2207003), RetryAction.BACKOFF),
        (graph_error(-2, "expired", 400, subcode=2207020), RetryAction.REINIT),
        (graph_error(-1, "unknown upload error", 400, subcode=2207053), RetryAction.REINIT),
        (graph_error(6000, "upload problem", 400), RetryAction.REINIT),
        (graph_error(2207026, "unsupported", 400, subcode=2207026), RetryAction.TERMINAL),
        (graph_error(9, "limit", 400, subcode=2207042), RetryAction.NEXT_WINDOW),
        (graph_error(9, "30 Reels a day", 400), RetryAction.NEXT_WINDOW),
        (graph_error(24, "used", 400, subcode=2207008), RetryAction.TERMINAL),
        (graph_error(100, "VIDEO", 400, subcode=2207023), RetryAction.TERMINAL),
        (graph_error(100, "carousel item", 400, subcode=2207089), RetryAction.TERMINAL),
        (graph_error(100, "bad parameter", 400), RetryAction.TERMINAL),
        (LoginError(100, "code used", 400, subcode=36009), RetryAction.RECONNECT),
        (LoginError(101, "unknown app", 400), RetryAction.TERMINAL),
        (RuploadError("OffsetInvalidError", "", 400), RetryAction.BACKOFF),
        (RuploadError("ConflictError", "", 409), RetryAction.BACKOFF),
        (RuploadError("ServiceUnavailableError", "", 503, retriable=True), RetryAction.BACKOFF),
        (RuploadError("NotFoundError", "", 404), RetryAction.REINIT),
        (RuploadError("ExpiredError", "", 400), RetryAction.REINIT),
        (RuploadError("AuthError", "", 401), RetryAction.RECONNECT),
        (RuploadError("BadRequestError", "", 400), RetryAction.TERMINAL),
        (InvalidReel("duration", "too long"), RetryAction.TERMINAL),
        (InvalidResponse("not JSON", 200), RetryAction.TERMINAL),
        (ValueError("a bug"), RetryAction.TERMINAL),
    ],
)  # fmt: skip
def test_retry_table(exc: BaseException, action: RetryAction) -> None:
    assert retry_action(exc) is action


def test_every_error_has_plain_words_and_a_code() -> None:
    for exc in (
        graph_error(190, "", subcode=463),
        graph_error(4, ""),
        graph_error(-2, "", subcode=2207003),
        graph_error(12345, "Something odd."),
        RuploadError("BadRequestError", "no"),
        InvalidReel("frame rate", "23 fps is too few."),
    ):
        assert isinstance(exc, MetaError) and exc.plain.endswith(".") and exc.code
    assert "public media link" in graph_error(-2, "", subcode=2207003).plain
    assert graph_error(12345, "Something odd.").plain.endswith("(12345): Something odd.")


def test_usage_headers_give_the_time_to_regain_access() -> None:
    entry = {"type": "instagram", "call_count": 100, "total_cputime": 20, "total_time": 30}
    buc = {IG_ID: [entry | {"estimated_time_to_regain_access": 45}]}
    headers = CaseInsensitiveDict(
        {"x-business-use-case-usage": json.dumps(buc), "X-App-Usage": '{"call_count": 12}'}
    )
    assert usage(headers) == Usage(100, 45)
    assert usage(CaseInsensitiveDict({"X-App-Usage": "not json"})) is None
    limited = graph_error(80002, "", usage=Usage(100, 45))
    assert retry_at(limited, NOW) == NOW + timedelta(minutes=45)
    assert retry_at(graph_error(17, ""), NOW) == NOW + DEFAULT_REGAIN
    assert retry_at(graph_error(9, "", subcode=2207042), NOW) == NOW + timedelta(hours=1)
    assert retry_at(graph_error(1, ""), NOW) is None


def test_a_business_use_case_limit_over_http_says_when_access_returns(
    client: MetaClient, http: requests.Session, sbx: SandboxServer, seen: list[Exchange]
) -> None:
    token = login(client, http)
    sbx.meta.configure(rate_limit_calls=1)
    client.publishing_limit(token, IG_ID)
    with pytest.raises(RateLimited) as limited:
        client.publishing_limit(token, IG_ID)
    assert limited.value.code == "80002" and limited.value.usage == Usage(100, 60)
    assert retry_action(limited.value) is RetryAction.NEXT_WINDOW
    assert limited.value.retry_at(NOW) == NOW + timedelta(minutes=60)
    assert seen[-1].code == "80002" and seen[-1].log_id == limited.value.log_id


@pytest.mark.parametrize("kind", ["4", "17", "32", "613"])
def test_injected_platform_limits_are_next_window(
    client: MetaClient, http: requests.Session, sbx: SandboxServer, kind: str
) -> None:
    token = login(client, http)
    sbx.meta.fail_next("/meta/graph/", kind)
    with pytest.raises(RateLimited) as limited:
        client.me(token)
    assert limited.value.graph_code == int(kind) and limited.value.usage == Usage(100, 0)
    assert retry_action(limited.value) is RetryAction.NEXT_WINDOW


def test_transient_faults_on_reads_and_writes(
    client: MetaClient, http: requests.Session, sbx: SandboxServer, seen: list[Exchange]
) -> None:
    token = login(client, http)
    page = acme_page(client, token)
    sbx.meta.fail_next("/meta/graph/", "100/33")
    with pytest.raises(Transient) as read:
        client.container_status(token, "17900000000000001")
    assert read.value.code == "100/33" and retry_action(read.value) is RetryAction.BACKOFF
    sbx.meta.fail_next("/meta/graph/", "100/33")
    with pytest.raises(NotVisible) as write:
        client.start_page_reel(page.access_token, PAGE_ID)
    assert retry_action(write.value) is RetryAction.TERMINAL
    sbx.meta.fail_next("/meta/graph/", "503")
    with pytest.raises(Transient) as down:
        client.me(token)
    assert down.value.http_status == 503 and retry_action(down.value) is RetryAction.BACKOFF
    sbx.meta.fail_next("/meta/graph/", "drop")
    with pytest.raises(TransportError) as cut:
        client.me(token)
    assert retry_action(cut.value) is RetryAction.BACKOFF
    assert client.me(token).name == "Dana Demo"
    assert [e.code for e in seen[-5:-1]] == ["100/33", "100/33", "2", None]
    assert seen[-2].error and seen[-2].error.startswith("connection_error")
