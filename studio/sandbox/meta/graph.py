"""Graph: token exchanges, /me, /me/accounts, /me/permissions, pictures, unknown paths."""

from __future__ import annotations

import time
from typing import Any

from flask import Blueprint, Response, jsonify

from studio.sandbox.meta import errors, tokens
from studio.sandbox.meta.auth import (
    authenticate,
    base_url,
    fields,
    lookup,
    meta_state,
    params,
    pick,
    require,
)
from studio.sandbox.meta.errors import GraphError
from studio.sandbox.meta.models import Token
from studio.sandbox.meta.people import IgAccount, Page, page, person, picture_svg

bp = Blueprint("meta_graph", __name__, url_prefix="/meta/graph")
errors.install(bp)
ACCOUNT_FIELDS = ["id", "name", "access_token", "category", "tasks"]


@bp.route("/<version>/oauth/access_token", methods=["GET", "POST"])
def access_token(version: str) -> Response:
    """code → short-lived user token; grant_type=fb_exchange_token → long-lived (~60 days)."""
    state = meta_state()
    args = params()
    if args.get("client_id") != state.config.app_id:
        raise GraphError(101, "Error validating application. Invalid application ID.")
    if args.get("client_secret") != state.config.app_secret:
        raise GraphError(1, "Error validating client secret.")
    if args.get("grant_type") == "fb_exchange_token":
        old = lookup(state, args.get("fb_exchange_token", ""))
        if old.kind == "page":
            raise GraphError(100, "fb_exchange_token must be a user access token.")
        token = tokens.exchange_long(state, old)
    elif args.get("code"):
        token = tokens.exchange_code(state, args["code"], args.get("redirect_uri", ""))
    else:
        raise GraphError(100, "Missing code or grant_type=fb_exchange_token parameter.")
    return jsonify(
        {"access_token": token.token, "token_type": "bearer", "expires_in": expires_in(token)}
    )


def expires_in(token: Token) -> int:
    """Seconds left (the answer's expires_in)."""
    return int((token.expires_at or time.time()) - time.time())


def picture(kind: str, node_id: str) -> dict[str, Any]:
    """The `picture` field: {data: {url, width, height, is_silhouette}}."""
    url = f"{base_url()}/meta/picture/{kind}/{node_id}.svg"
    return {"data": {"url": url, "width": 100, "height": 100, "is_silhouette": False}}


def ig_record(ig: IgAccount) -> dict[str, Any]:
    """An IG professional account's readable fields."""
    url = picture("ig", ig.id)["data"]["url"]
    return {"id": ig.id, "username": ig.username, "name": ig.name, "profile_picture_url": url}


def page_record(pg: Page, token: Token | None = None) -> dict[str, Any]:
    """A Page's readable fields (+ access_token when listed with a user token)."""
    record: dict[str, Any] = {
        "id": pg.id,
        "name": pg.name,
        "category": pg.category,
        "tasks": list(pg.tasks),
        "picture": picture("page", pg.id),
    }
    if pg.ig is not None:
        record["instagram_business_account"] = ig_record(pg.ig)
    if token is not None:
        record["access_token"] = tokens.page_token(meta_state(), token, pg.id).token
    return record


def user_token() -> Token:
    """Authenticate a call that needs a user token."""
    token = authenticate()
    if token.kind == "page":
        raise GraphError(100, "This call needs a user access token, not a Page token.")
    return token


@bp.get("/<version>/me")
def me(version: str) -> Response:
    """The person (or, with a Page token, the Page)."""
    token = authenticate()
    if token.kind == "page" and token.page_id is not None:
        found = page(token.page_id)
        assert found is not None
        return jsonify(pick(page_record(found), fields(["id", "name"])))
    who = person(token.person)
    assert who is not None
    record = {"id": who.user_id, "name": who.name, "picture": picture("user", who.user_id)}
    return jsonify(pick(record, fields(["id", "name"])))


@bp.get("/<version>/me/accounts")
def accounts(version: str) -> Response:
    """The Pages the person manages, each with its Page token (needs pages_show_list)."""
    token = user_token()
    require(token, "pages_show_list")
    who = person(token.person)
    assert who is not None
    wanted = fields(ACCOUNT_FIELDS)
    if "instagram_business_account" in wanted:
        require(token, "instagram_basic")
    data = []
    for pg in who.pages:
        record = page_record(pg, token)
        if pg.ig is None:
            wanted_here = {k: v for k, v in wanted.items() if k != "instagram_business_account"}
        else:
            wanted_here = wanted
        data.append(pick(record, wanted_here))
    cursors = {"before": "QVFIUmJl", "after": "QVFIUmFm"}
    return jsonify({"data": data, "paging": {"cursors": cursors}})


@bp.get("/<version>/me/permissions")
def permissions(version: str) -> Response:
    """The permissions granted (people may untick some in classic Facebook Login)."""
    token = user_token()
    state = meta_state()
    with state.lock:
        granted = list(state.grants[token.grant_id].scopes)
    return jsonify({"data": [{"permission": p, "status": "granted"} for p in granted]})


@bp.delete("/<version>/me/permissions")
def revoke(version: str) -> Response:
    """Remove the app's permissions: every token of this authorization dies (190/458)."""
    token = user_token()
    tokens.revoke_grant(meta_state(), token.grant_id)
    return jsonify({"success": True})


@bp.route("/<path:rest>", methods=["GET", "POST", "DELETE", "PUT", "PATCH", "HEAD", "OPTIONS"])
def unknown(rest: str) -> Response:
    """Anything else: Graph's unknown-path error."""
    raise GraphError(2500, f"Unknown path components: /{rest}")


pictures = Blueprint("meta_pictures", __name__, url_prefix="/meta/picture")


@pictures.get("/<kind>/<node_id>.svg")
def picture_file(kind: str, node_id: str) -> Response:
    """A small SVG for a person, Page or IG account."""
    return Response(picture_svg(f"{kind} {node_id[-2:]}"), mimetype="image/svg+xml")


def graph_args() -> dict[str, str]:
    """Request parameters minus the transport ones (appsecret_proof, fields)."""
    return {k: v for k, v in params().items() if k not in ("appsecret_proof", "fields")}
