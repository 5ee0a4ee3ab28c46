"""CSRF on every state-changing route, found by enumerating the URL map (not a hand list)."""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import Rule

from studio.extensions import csrf
from tests.adversarial.conftest import Snapshot
from tests.helpers import csrf_token

UNSAFE = ("POST", "PUT", "PATCH", "DELETE")
# Routes that legitimately take state-changing requests without our CSRF token, and why.
EXEMPT = {
    "tiktok_hooks.tiktok_webhook": "TikTok's server posts it; its signature HMAC is the guard",
    "privacy.meta_deletion": "Meta's server posts it; the signed_request HMAC is the guard",
}


def _url(rule: Rule, world: dict) -> str:
    values = {
        "user_id": world["staff_id"],
        "video_id": world["video_id"],
        "post_id": world["post_id"],
        "delivery_id": world["delivery_id"],
        "request_id": world["request_id"],
        "account_id": world["account_id"],
        "upload_id": world["upload_id"],
        "template_id": world["template_id"],
        "seq": world["seq"],
        "token": "x",
        "code": "x",
    }
    return rule.build({a: values[a] for a in rule.arguments}, append_unknown=False)[1]


def _unsafe_rules(app: Flask) -> list[tuple[Rule, str]]:
    return [
        (rule, method)
        for rule in app.url_map.iter_rules()
        for method in UNSAFE
        if method in (rule.methods or ())
    ]


def test_every_unsafe_route_refuses_a_request_without_a_token(
    app: Flask, admin_client, world: dict
) -> None:
    before = Snapshot(app)
    unguarded, checked = set(), 0
    for rule, method in _unsafe_rules(app):
        form = {"email": "new@example.com", "role": "admin", "active": "y", "reason": "x"}
        response = admin_client.open(_url(rule, world), method=method, data=form)
        if response.status_code == 400 and b"CSRF" in response.data:
            checked += 1
            continue
        unguarded.add(rule.endpoint)
    # A new route that skips CSRF fails here until it is listed in EXEMPT with its reason.
    assert unguarded == set(EXEMPT)
    assert checked >= 20
    before.assert_unchanged()


def test_the_exempt_list_is_exactly_what_the_app_exempts(app: Flask) -> None:
    exempt = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "{0.__module__}.{0.__name__}".format(app.view_functions[rule.endpoint])
        in csrf._exempt_views
    }
    assert exempt == set(EXEMPT)


def test_a_token_from_another_session_is_refused(app: Flask, admin_client, world: dict) -> None:
    attacker = app.test_client()
    foreign = csrf_token(attacker, "/auth/login")
    before = Snapshot(app)
    for url, data in [
        (f"/videos/{world['video_id']}/delete", {}),
        (f"/tiktok/{world['account_id']}/disconnect", {}),
        ("/staff/", {"email": "mallory@example.com", "role": "admin"}),
        (f"/staff/{world['staff_id']}", {"role": "admin", "active": "y"}),
    ]:
        response = admin_client.post(url, data={**data, "csrf_token": foreign})
        assert response.status_code == 400, url
        assert b"The form expired or was sent from elsewhere" in response.data
    api = admin_client.delete(
        f"/videos/uploads/{world['upload_id']}",
        headers={"X-CSRFToken": foreign, "Accept": "application/json"},
    )
    assert api.status_code == 400
    assert api.get_json()["error"]["message"] == (
        "The page expired (missing or old CSRF token). Reload the page and resume."
    )
    before.assert_unchanged()


def test_state_changes_cannot_be_triggered_by_get_or_a_method_override(
    app: Flask, admin_client, world: dict
) -> None:
    """Links and images make GETs from other sites: no state-changing route answers one."""
    readable = {r.rule for r in app.url_map.iter_rules() if "GET" in (r.methods or ())}
    before = Snapshot(app)
    checked = 0
    for rule, method in _unsafe_rules(app):
        url = _url(rule, world)
        override = {"X-HTTP-Method-Override": method, "X-Method-Override": method}
        response = admin_client.get(url, headers=override, query_string={"_method": method})
        if rule.rule in readable:  # a page (or the upload's offset) at the same address
            assert response.status_code in (200, 302, 400, 403, 404), rule.rule
            continue
        assert response.status_code == 405, (rule.rule, response.status_code)
        assert b"This address does not accept that kind of request." in response.data
        checked += 1
    assert checked >= 15
    before.assert_unchanged()


def test_no_cross_origin_reads_are_allowed(app: Flask, admin_client, world: dict) -> None:
    evil = {"Origin": "https://evil.example"}
    for url in ("/posts/status.json", f"/posts/{world['post_id']}/status.json", "/audit/"):
        response = admin_client.get(url, headers=evil)
        assert response.status_code == 200
        assert not [h for h in response.headers.keys() if h.lower().startswith("access-control-")]
    preflight = admin_client.options(
        f"/videos/uploads/{world['upload_id']}",
        headers={**evil, "Access-Control-Request-Method": "DELETE"},
    )
    assert not [h for h in preflight.headers.keys() if h.lower().startswith("access-control-")]
