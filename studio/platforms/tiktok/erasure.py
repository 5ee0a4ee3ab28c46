"""Erasing what the TikTok room owns: grants, account rows, OAuth flows (counts for receipts)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from studio.audit import Actor, scope
from studio.platforms.erasure import Identity, NotConfirmed, OneAccount
from studio.platforms.grants import erase_tokens_again as erase_tokens_again  # shared rule
from studio.platforms.models import Account
from studio.platforms.tiktok import services
from studio.platforms.tiktok.connection import ACCOUNTS, account_by_open_id, get_client
from studio.platforms.tiktok.errors import PlatformError
from studio.platforms.tiktok.oauth import finish_flow, flow_context, start_flow

log = logging.getLogger(__name__)
PURPOSE = "privacy_verify"
SCOPES = ["user.info.basic"]  # the display name and open ID: enough to prove ownership


def account_for_subject(session: Session, open_id: str | None) -> int | None:
    """The id of the connected account with TikTok's ``open_id``, if we hold one."""
    account = ERASURE.find(session, open_id or "")
    return account.id if account is not None else None


def revoke_token(token: str) -> bool:
    """Revoke a token we never stored (a requester's verification sign-in) at TikTok."""
    if services._revoke_quietly(get_client(), token):
        return True
    log.warning("revoking the verification token failed; it expires on its own")
    return False


def revoke_for_account(
    session: Session, account_id: int | None, actor: Actor, reason: str
) -> dict[str, int]:
    """End the account's grant: revoke at TikTok, erase tokens and data key (row kept).

    Returns the receipt counts; empty when nothing is left to revoke (safe to run again).
    """
    account = session.get(Account, account_id) if account_id is not None else None
    return ERASURE.revoke_account(session, account, actor, reason)


def erase_for_account(session: Session, account_id: int | None) -> dict[str, int]:
    """Delete the account row (open ID, name, avatar) with any secrets left; the caller commits.

    Its posts and call budgets go with it (foreign keys cascade); erase those first when they
    need their own receipt. Returns the receipt counts; empty once the account is gone.
    """
    return ERASURE.erase_account(session, account_id) if account_id is not None else {}


class SignIn:
    """ "Verify with TikTok": a user.info.basic round trip through the tiktok room's flow."""

    label = "TikTok"
    account_word = "TikTok account"
    name_word = "display name"
    name_label = "TikTok display name"
    reads = "for your basic profile (display name and ID)"

    def available(self, config: Mapping[str, Any]) -> bool:
        """TikTok is always configured."""
        return True

    def start(self, context: Mapping[str, Any], callback: str) -> str:
        """Record a flow and return TikTok's consent URL (always asking again)."""
        return start_flow(PURPOSE, SCOPES, callback, context, force_consent=True)

    def finish(self, session: Session, args: Mapping[str, str]) -> tuple[dict[str, Any], Identity]:
        """Exchange the code, then ask TikTok who signed in (its open_id, never the form's)."""
        tokens, flow = finish_flow(PURPOSE, args)
        account = account_by_open_id(session, tokens.open_id) if tokens.open_id else None
        with scope(account_id=account.id if account is not None else None):
            try:
                profile = get_client().user_info(tokens.access_token, ["open_id", "display_name"])
            except PlatformError as exc:
                self._drop(account, tokens.access_token)
                raise NotConfirmed(
                    "TikTok did not tell us who signed in. Nothing was changed; try again."
                ) from exc
        open_id = str(profile.get("open_id") or tokens.open_id)
        if not open_id or (tokens.open_id and open_id != tokens.open_id):
            self._drop(account, tokens.access_token)
            raise NotConfirmed("TikTok did not confirm who signed in. Nothing was changed.")
        name = str(profile.get("display_name") or "")
        return flow_context(flow), Identity(open_id, (name,), tokens.access_token)

    def revoke_token(self, token: str) -> bool:
        """Revoke a token we never stored at TikTok."""
        return revoke_token(token)

    def _drop(self, account: Account | None, token: str) -> None:
        # Revoking ends the app's whole authorization: never for an account still connected.
        if account is None or not account.data_key:
            revoke_token(token)


ERASURE = OneAccount(
    ACCOUNTS,
    subject_key="open_id",
    labels={
        "tiktok_tokens": "TikTok access and refresh tokens (revoked at TikTok, then erased)",
        "tiktok_profile": "TikTok profile (open ID, display name, avatar)",
    },
    sign_in=SignIn(),
    disconnect=services.disconnect,
)
