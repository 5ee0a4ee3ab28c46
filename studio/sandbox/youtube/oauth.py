"""Google OAuth endpoints: the consent page, the token endpoint and revocation."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, redirect, render_template, request
from werkzeug.wrappers import Response

from studio.sandbox.youtube import authorize, tokens
from studio.sandbox.youtube.channels import CHANNELS
from studio.sandbox.youtube.errors import NO_STORE, OAuthError
from studio.sandbox.youtube.state import YouTubeState

bp = Blueprint("yt_oauth", __name__)
FORM = "application/x-www-form-urlencoded"


def youtube_state() -> YouTubeState:
    """The running app's YouTube sandbox state."""
    return current_app.extensions["youtube_sandbox"]


@bp.get("/o/oauth2/v2/auth")
def consent_page() -> Response | tuple[str, int]:
    """Validate the request and show the consent page (pick an account, allow or deny)."""
    params = request.args.to_dict()
    try:
        auth = authorize.parse(youtube_state(), params)
    except authorize.PageError as exc:
        return render_template("sandbox/youtube_error.html", message=str(exc)), 400
    except authorize.RedirectError as exc:
        return redirect(
            authorize.error_url(params["redirect_uri"], exc.error, params.get("state", ""))
        )
    return render_template("sandbox/youtube_consent.html", auth=auth, channels=CHANNELS), 200


@bp.post("/o/oauth2/v2/auth")
def consent_decision() -> Response | tuple[str, int]:
    """Allow or deny from the consent form; the request is validated again."""
    form = request.form
    try:
        auth = authorize.parse(youtube_state(), form.to_dict())
        if form.get("decision") != "allow":
            raise authorize.RedirectError("access_denied", "The user denied access.")
        granted = form.getlist("granted")
        url = authorize.approve(youtube_state(), auth, form.get("channel", ""), granted)
    except authorize.PageError as exc:
        return render_template("sandbox/youtube_error.html", message=str(exc)), 400
    except authorize.RedirectError as exc:
        return redirect(authorize.error_url(form["redirect_uri"], exc.error, form.get("state", "")))
    return redirect(url)


def _form() -> dict[str, str]:
    """The form body; credentials in the URL are refused (they would land in logs)."""
    if request.mimetype != FORM:
        raise OAuthError("invalid_request", "Content-Type must be " + FORM + " (sandbox strict).")
    if request.args:
        raise OAuthError("invalid_request", "Parameters belong in the body, not the URL.")
    return request.form.to_dict()


def _no_store(body: dict[str, object]) -> Response:
    response = jsonify(body)
    response.headers.update(NO_STORE)
    return response


@bp.post("/token")
def token() -> Response:
    """authorization_code and refresh_token grants."""
    form = _form()
    state = youtube_state()
    grant_type = form.get("grant_type")
    if grant_type not in ("authorization_code", "refresh_token"):
        raise OAuthError("unsupported_grant_type", "Invalid grant_type: " + str(grant_type))
    tokens.check_client(state, form, request.headers.get("Authorization"))
    if grant_type == "authorization_code":
        return _no_store(tokens.exchange_code(state, form))
    return _no_store(tokens.refresh_tokens(state, form))


@bp.post("/revoke")
def revoke() -> Response:
    """Revoke an access or refresh token (the whole grant); `{}` on success."""
    form = _form()
    if not form.get("token"):
        raise OAuthError("invalid_request", "Missing required parameter: token")
    tokens.revoke(youtube_state(), form["token"])
    return _no_store({})
