"""TikTok Login Kit endpoints: consent page, token exchange/refresh and revoke."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, redirect, render_template, request
from werkzeug.wrappers import Response

from studio.sandbox import authorize, tokens
from studio.sandbox.creators import CREATORS
from studio.sandbox.errors import OAuthError
from studio.sandbox.state import SandboxState
from studio.sandbox.webhooks import send_webhook

bp = Blueprint("oauth", __name__)


def _state() -> SandboxState:
    return current_app.extensions["tiktok_sandbox"]


@bp.get("/v2/auth/authorize/")
def authorize_page() -> Response | tuple[str, int]:
    """Validate the request and show the consent page."""
    try:
        auth = authorize.parse(_state(), request.args.to_dict())
    except authorize.PageError as exc:
        return render_template("sandbox/error.html", message=str(exc)), 400
    except authorize.RedirectError as exc:
        return redirect(
            authorize.error_url(
                request.args["redirect_uri"],
                exc.error,
                exc.description,
                request.args.get("state", ""),
            )
        )
    return render_template(
        "sandbox/consent.html", auth=auth, creators=CREATORS, required=authorize.REQUIRED_SCOPES
    ), 200


@bp.post("/v2/auth/authorize/")
@bp.post("/v2/auth/authorize/decision")
def authorize_decision() -> Response | tuple[str, int]:
    """Approve or deny from the consent form; always re-validates the request."""
    form = request.form
    try:
        auth = authorize.parse(_state(), form.to_dict())
        if form.get("decision") != "approve":
            raise authorize.RedirectError("access_denied", "The user denied the authorization.")
        url = authorize.approve(_state(), auth, form.get("creator", ""), form.getlist("granted"))
    except authorize.PageError as exc:
        return render_template("sandbox/error.html", message=str(exc)), 400
    except authorize.RedirectError as exc:
        return redirect(
            authorize.error_url(
                form["redirect_uri"], exc.error, exc.description, form.get("state", "")
            )
        )
    return redirect(url)


def _form() -> dict[str, str]:
    """The form body; TikTok's OAuth endpoints only take x-www-form-urlencoded."""
    if request.mimetype != "application/x-www-form-urlencoded":
        raise OAuthError(
            "invalid_request", "Content-Type must be application/x-www-form-urlencoded."
        )
    return request.form.to_dict()


@bp.post("/v2/oauth/token/")
def token() -> Response:
    """authorization_code and refresh_token grants; flat JSON answers."""
    form = _form()
    grant_type = form.get("grant_type")
    if grant_type not in ("authorization_code", "refresh_token"):
        raise OAuthError("unsupported_grant_type", "grant_type is not supported.")
    state = _state()
    tokens.check_client(state, form)
    if grant_type == "authorization_code":
        return jsonify(tokens.exchange_code(state, form))
    return jsonify(tokens.refresh_tokens(state, form))


@bp.post("/v2/oauth/revoke/")
def revoke() -> Response:
    """Revoke the grant behind an access token; `{}` on success."""
    form = _form()
    state = _state()
    tokens.check_client(state, form)
    if not form.get("token"):
        raise OAuthError("invalid_request", "Missing token.")
    grant = tokens.revoke_access_token(state, form["token"])
    if state.config.webhook_on_revoke:
        send_webhook(state, "authorization.removed", grant.open_id, {"reason": 5})
    return jsonify({})
