"""The login dialog (`/meta/{version}/dialog/oauth`): pick a demo person, allow or cancel."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from flask import Blueprint, redirect, render_template_string, request
from werkzeug.wrappers import Response

from studio.sandbox.meta.auth import meta_state
from studio.sandbox.meta.config import KNOWN_SCOPES
from studio.sandbox.meta.people import PEOPLE, person
from studio.sandbox.meta.state import MetaState
from studio.sandbox.meta.tokens import issue_code

bp = Blueprint("meta_dialog", __name__, url_prefix="/meta")
PAGE = """<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">
<title>Log in with Facebook</title>
</head><body><h1>Log in with Facebook (sandbox)</h1>
{% if error %}<p role="alert">{{ error }}</p>{% else %}
<form method="post" action="{{ action }}">
{% for key, value in hidden.items() %}<input type="hidden" name="{{ key }}" value="{{ value }}">
{% endfor %}<fieldset><legend>Continue as</legend>
{% for p in people %}<label><input type="radio" name="person" value="{{ p.key }}"
{% if loop.first %}checked{% endif %}> {{ p.name }} ({{ p.pages|length }} Pages)</label><br>
{% endfor %}</fieldset><p>The app asks for: {{ scopes|join(", ") }}</p>
<button name="decision" value="allow">Continue</button>
<button name="decision" value="deny">Cancel</button></form>{% endif %}</body></html>"""


class DialogError(Exception):
    """Shown as a page, never redirected (unknown app, unregistered redirect_uri…)."""


@dataclass
class LoginRequest:
    """A validated login dialog request."""

    redirect_uri: str
    state: str
    scopes: list[str]

    def hidden(self) -> dict[str, str]:
        """Echoed through the consent form."""
        return {
            "redirect_uri": self.redirect_uri,
            "state": self.state,
            "scope": ",".join(self.scopes),
        }


def parse(state: MetaState, version: str, args: dict[str, str]) -> LoginRequest:
    """Check app, version, redirect_uri, state and scopes (or config_id)."""
    cfg = state.config
    if version not in cfg.versions:
        raise DialogError(f"Unsupported Graph API version {version}.")
    if args.get("client_id") != cfg.app_id:
        raise DialogError("Invalid App ID: the app is unknown.")
    redirect_uri = args.get("redirect_uri", "")
    if redirect_uri not in cfg.redirect_uris:
        raise DialogError(
            "URL blocked: the redirect_uri is not in the app's Valid OAuth Redirect URIs."
        )
    if args.get("response_type", "code") != "code":
        raise DialogError("The sandbox only supports response_type=code.")
    if not args.get("state"):  # strict: Meta accepts no state, but then CSRF goes unchecked
        raise DialogError("state is required (CSRF protection).")
    if args.get("config_id"):
        scopes = cfg.login_configs.get(args["config_id"])
        if scopes is None:
            raise DialogError("Unknown config_id.")
    else:
        scopes = [s.strip() for s in args.get("scope", "").split(",") if s.strip()]
        unknown = [s for s in scopes if s not in KNOWN_SCOPES]
        if not scopes or unknown:
            raise DialogError(f"Invalid Scopes: {', '.join(unknown) or '(none)'}.")
    return LoginRequest(redirect_uri, args["state"], list(dict.fromkeys(scopes)))


def decide(
    state: MetaState,
    login: LoginRequest,
    person_key: str,
    allow: bool,
    granted: list[str] | None = None,
) -> str:
    """The callback URL: a code (allow) or Meta's access_denied (cancel)."""
    if not allow:
        query = {
            "error": "access_denied",
            "error_code": "200",
            "error_description": "Permissions error",
            "error_reason": "user_denied",
            "state": login.state,
        }
    else:
        who = person(person_key)
        if who is None:
            raise DialogError("Unknown person.")
        scopes = [s for s in login.scopes if granted is None or s in granted]
        code = issue_code(state, who, login.redirect_uri, scopes)
        query = {"code": code, "state": login.state}
    joiner = "&" if "?" in login.redirect_uri else "?"
    return f"{login.redirect_uri}{joiner}{urlencode(query)}#_=_"


@bp.get("/<version>/dialog/oauth")
def dialog(version: str) -> str | tuple[str, int]:
    """The consent page."""
    try:
        login = parse(meta_state(), version, dict(request.args.items()))
    except DialogError as exc:
        return render_template_string(PAGE, error=str(exc)), 400
    action = f"/meta/{version}/dialog/oauth"
    hidden = {**login.hidden(), "client_id": meta_state().config.app_id}
    return render_template_string(
        PAGE, error=None, action=action, hidden=hidden, people=PEOPLE, scopes=login.scopes
    )


@bp.post("/<version>/dialog/oauth")
def submit(version: str) -> Response | tuple[str, int]:
    """Allow or cancel: back to the app's redirect_uri."""
    form = dict(request.form.items())
    try:
        login = parse(meta_state(), version, form)
        url = decide(meta_state(), login, form.get("person", ""), form.get("decision") == "allow")
    except DialogError as exc:
        return render_template_string(PAGE, error=str(exc)), 400
    return redirect(url, code=302)
