"""What every platform's account pages share: the page, the confirm guard, failures, disconnect."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy.orm import Session

from studio import db
from studio.audit import Actor, record
from studio.auth.forms import ConfirmForm
from studio.platforms.models import Account, AccountStatus
from studio.platforms.oauth import FlowError


def confirmed() -> None:
    """Stop with 400 unless the POST carries the CSRF-only confirm form."""
    if not ConfirmForm().validate_on_submit():
        abort(400)


@dataclass(frozen=True)
class Pages:
    """One platform's account pages: its blueprint (`<bp>.index`, ...), names and services."""

    bp: str
    label: str  # "connecting TikTok failed"
    issuer: str  # who revokes: "access revoked at Google"
    back_label: str  # the error page's way back
    connect_failed: str  # audit action
    limit_key: str  # config key: the callback's rate limit per client address
    find: Callable[[Session, int], Account | None]  # one of the platform's accounts by id
    end: Callable[[Session, Account, Actor, str], bool]  # disconnect: True if revoked there
    revoke_hint: str  # where else the owner can remove the app
    done_code: int = 303  # the redirect after a connect or a disconnect

    def callback_limit(self) -> str:
        """The callback's rate limit, read at request time."""
        return str(current_app.config[self.limit_key])

    def index(self, accounts: list[Account], **context: Any) -> str:
        """The account page: accounts in use, then the disconnected ones (history stays)."""
        return render_template(
            f"{self.bp}/index.html",
            accounts=[a for a in accounts if a.status != AccountStatus.DISCONNECTED],
            past=[a for a in accounts if a.status == AccountStatus.DISCONNECTED],
            form=ConfirmForm(),
            **context,
        )

    def flow_failed(self, exc: FlowError) -> ResponseReturnValue:
        """Audit a failed connect; a cancel goes back to the page, anything else shows why."""
        self.record_failure(exc.kind, exc.error or exc.title)
        if exc.error == "access_denied":
            flash("You cancelled: nothing was connected.", "info")
            return redirect(url_for(f"{self.bp}.index"), 303)
        return self.error_page(exc)

    def error_page(self, exc: FlowError) -> ResponseReturnValue:
        """The page that says why connecting failed, with the flow error's status."""
        back = f"{self.bp}.index"
        page = render_template(
            "platforms/flow_error.html", error=exc, back=back, back_label=self.back_label
        )
        return page, exc.status

    def record_failure(self, kind: str, detail: str) -> None:
        """Audit a failed connect by the signed-in admin."""
        record(
            self.connect_failed,
            actor=Actor.user(current_user),
            summary=f"connecting {self.label} failed ({kind}): {detail}"[:500],
            status="error",
        )

    def live_account(self, account_id: int) -> Account:
        """After the confirm form: the account, or 404 (unknown, another's, disconnected)."""
        confirmed()
        account = self.find(db.session, account_id)
        if account is None or account.status == AccountStatus.DISCONNECTED:
            abort(404)
        return account

    def disconnect(self, account_id: int) -> ResponseReturnValue:
        """Disconnect for the signed-in admin and say whether the platform confirmed it."""
        account = self.live_account(account_id)
        reason = f"disconnected by staff member #{current_user.id}"
        revoked = self.end(db.session, account, Actor.user(current_user), reason)
        name = account.display_name or account.remote_id
        if revoked:
            flash(
                f"Disconnected {name}: access revoked at {self.issuer} and tokens erased.",
                "success",
            )
        else:
            flash(
                f"Disconnected {name} and erased its tokens. {self.issuer} did not confirm the "
                f"revocation; {self.revoke_hint}",
                "warning",
            )
        return redirect(url_for(f"{self.bp}.index"), self.done_code)
