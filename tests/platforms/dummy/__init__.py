"""A test-only platform: one package and one `registry.register` line, nothing else in studio.

It connects through the shared OAuth flow (state, PKCE, single use) against a consent page it
serves itself, keeps its token in the vault under the account's own data key, and "publishes"
by reading the parcel's file from disk and remembering its SHA-256, as a real platform would
remember the bytes it received.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlencode

from flask import Blueprint, Flask, abort, redirect, request, url_for
from flask_login import current_user
from sqlalchemy.orm import Session
from wtforms import Form, StringField

from studio import db
from studio.auth.decorators import admin_required
from studio.platforms.accounts import Accounts
from studio.platforms.grants import read_token, store_pair
from studio.platforms.models import Account, DeliveryStatus, Mode
from studio.platforms.oauth import FlowError, begin, claim, new_verifier, take_verifier
from studio.platforms.options import Common, Target
from studio.platforms.registry import Platform
from studio.platforms.sending import Reason, Run
from studio.platforms.video import RuleViolation, Verdict, VideoInfo
from studio.security import external_url

T = TypeVar("T")
NAME = "dummy"
ACCOUNTS = Accounts(NAME)
RECEIVED: dict[str, tuple[str, Any]] = {}  # remote id → (sha256 of the bytes, options)
CODES: dict[str, str] = {}  # authorization code → the verifier's challenge it was issued for
bp = Blueprint(NAME, __name__, url_prefix=f"/{NAME}", template_folder="templates")


@bp.post("/connect")
@admin_required
def connect():
    verifier = new_verifier()
    state = begin(NAME, "connect", ["publish"], external_url("dummy.callback"), 600, verifier)
    return redirect(url_for("dummy.consent", state=state), 303)


@bp.get("/consent")
def consent():
    """Stands in for the platform's consent page: the owner said yes."""
    code = secrets.token_urlsafe(16)
    CODES[code] = "issued"
    query = urlencode({"code": code, "state": request.args.get("state", "")})
    return redirect(f"{url_for('dummy.callback')}?{query}", 302)


@bp.get("/callback")
@admin_required
def callback():
    try:
        flow = claim(NAME, "Dummy", "connect", request.args)
    except FlowError as exc:
        abort(exc.status)
    take_verifier(flow)
    if CODES.pop(request.args.get("code", ""), None) is None:
        abort(400)
    token = f"dummy-token-{secrets.token_urlsafe(16)}"

    def fill(account: Any, now: Any) -> None:
        account.display_name, account.handle = "Dummy shop", "@dummy"
        store_pair(
            account,
            token,
            "",
            expires_in=10**8,
            refresh_expires_in=None,
            scopes=["publish"],
            now=now,
        )

    ACCOUNTS.store_connected(db.session, "dummy-1", current_user, None, fill)
    return redirect(url_for("posts.index"), 303)


class Tokens:
    """The stored token, handed to each call (this platform's tokens never expire)."""

    @staticmethod
    def call_with_token(session: Session, account_id: int, fn: Callable[[str], T]) -> T:
        account = ACCOUNTS.one(session, account_id)
        token = read_token(account) if account is not None else None
        if not token:
            raise RuntimeError("not connected")
        return fn(token)


class Sender(Run):
    """Sends the whole file in one step, then it is published."""

    label = "Dummy"
    tokens = Tokens

    def drive(self) -> None:
        path = self.parcel.file
        if path is None:
            self.fail("file_missing")
            return
        remote_id = self.call(lambda token: f"dm-{self.delivery.id}-{len(token)}")
        self.save(status=DeliveryStatus.UPLOADING, remote_id=remote_id, video_size=0)
        with path.open("rb") as stream:
            digest = hashlib.file_digest(stream, "sha256").hexdigest()
        RECEIVED[remote_id] = (digest, self.delivery.options)
        self.save(video_size=path.stat().st_size, bytes_sent=path.stat().st_size)
        self.finish(DeliveryStatus.PUBLISHED, [remote_id])

    @classmethod
    def explain(cls, code: str, message: str | None, from_platform: bool) -> Reason:
        return Reason(f"Dummy could not take it: {code}.", code != "file_missing")


class Section(Form):
    """The dummy platform's one option."""

    label = StringField("Dummy label")


class Options:
    """The options part of the interface: one free-text label, at most 20 characters."""

    prepare_template = "dummy/_post_options.html"
    preview_template = "dummy/_post_preview.html"
    confirm_template: str | None = None
    note_template: str | None = None
    delivery_template: str | None = None
    value_labels: dict[str, str] = {}

    def accounts(self, session: Session) -> list[Account]:
        return [a for a in ACCOUNTS.in_use(session) if a.is_usable]

    def prepare_form(self, formdata: Any, prefix: str, account: Account) -> Section:
        return Section(formdata, prefix=prefix)

    def check_prepare(self, form: Any, account: Account, common: Common) -> dict[str, str]:
        if len(form.label.data or "") > 20:
            return {"label": "Dummy labels are at most 20 characters."}
        return {}

    def load(self, session: Session, account: Account, user: Any) -> Target:
        return Target(account, account.display_name, "dummy", None)

    def confirm_form(self, formdata: Any, prefix: str, prepared: Any, target: Target) -> None:
        return None

    def check_confirm(
        self, prepared: Any, confirm: Any, target: Target, common: Common
    ) -> dict[str, str]:
        return self.check_prepare(prepared, target.account, common)

    def mode(self, prepared: Any, common: Common) -> Mode:
        return Mode.DIRECT

    def stored(self, prepared: Any, confirm: Any, target: Target, common: Common) -> dict[str, Any]:
        return {"label": prepared.label.data or ""}

    def preview(
        self, prepared: Any, confirm: Any, target: Target, common: Common
    ) -> dict[str, Any]:
        return {"body": self.stored(prepared, confirm, target, common), "button": "Send to Dummy"}

    def consent(self, prepared: Any, target: Target) -> str:
        return f"I want to send this video to the Dummy account “{target.nickname}”."

    def limits(self, mode: Mode) -> tuple[()]:
        return ()  # it takes as many as it is sent


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


def panel() -> None:
    """Nothing to say on the dashboard."""


def takes(info: VideoInfo) -> Verdict:
    """It takes any video the library stores, up to a minute long."""
    if info.duration_s > 60:
        return Verdict([RuleViolation("duration", "the Dummy takes up to 1 min")])
    return Verdict()


PLATFORM = Platform(
    NAME, "Dummy", init_app, ACCOUNTS.every, panel, Options(), takes, Sender, metrics=None
)
