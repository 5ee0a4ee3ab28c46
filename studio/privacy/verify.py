"""Proving ownership: "Verify with TikTok" (user.info.basic round trip) and e-mailed links.

The TikTok round trip reuses the tiktok room's flow (state, PKCE, single use). What we act on
is always the open_id TikTok returns for whoever signed in, never what the form named, so a
request for someone else's account can only ever reach the requester's own data.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Any

from flask import url_for
from sqlalchemy.orm import Session

from studio.audit import Action, Actor, record, scope
from studio.privacy import codes, mail, services
from studio.privacy.models import DeletionRequest, RequestStatus

PURPOSE = "privacy_verify"
SCOPES = ["user.info.basic"]
CALLBACK = "privacy.verify_callback"


class VerifyError(Exception):
    """Verification failed; the message is shown to the requester and reveals nothing."""


@dataclass(frozen=True)
class Identity:
    """Who signed in at TikTok, and the verification token when it must outlive the call."""

    open_id: str
    display_name: str
    pending_token: str | None = field(default=None, repr=False)


def start(purpose: str, request_id: int | None = None) -> str:
    """Begin a TikTok round trip; returns the consent URL."""
    from studio.tiktok import services as tiktok

    context: dict[str, Any] = {"purpose": purpose}
    if request_id is not None:
        context["request_id"] = request_id
    return tiktok.start_flow(PURPOSE, SCOPES, CALLBACK, context, force_consent=True)


def finish(session: Session, args: Any) -> tuple[dict[str, Any], Identity]:
    """Finish the round trip: the flow's context and the signed-in identity.

    The verification token is revoked at once, except when it belongs to an account we have
    connected and the owner asks for deletion: TikTok's revocation removes the app's whole
    authorization, which must wait until the request is carried out (it is then kept only
    encrypted under the request's own key, and revoked by the erasure).
    """
    from studio.tiktok import services as tiktok
    from studio.tiktok.errors import TikTokClientError

    with scope(actor=Actor.public()):
        tokens, flow = tiktok.finish_flow(PURPOSE, args)
        context = tiktok.flow_context(flow)
        account = tiktok.account_by_open_id(session, tokens.open_id) if tokens.open_id else None
        account_id = account.id if account is not None else None
        with scope(account_id=account_id):
            client = tiktok.get_client()
            try:
                profile = client.user_info(tokens.access_token, ["open_id", "display_name"])
            except TikTokClientError as exc:
                raise VerifyError(
                    "TikTok did not tell us who signed in. Nothing was changed; try again."
                ) from exc
            finally:
                connected = account is not None and bool(account.data_key)
                keep = connected and context.get("purpose") == "deletion"
                if not keep:
                    _revoke_quietly(client, tokens.access_token)
            open_id = str(profile.get("open_id") or tokens.open_id)
    if not open_id or (tokens.open_id and open_id != tokens.open_id):
        raise VerifyError("TikTok did not confirm who signed in. Nothing was changed.")
    name = str(profile.get("display_name") or "")
    return context, Identity(open_id, name, tokens.access_token if keep else None)


def _revoke_quietly(client: Any, token: str) -> None:
    from studio.tiktok.errors import TikTokClientError

    try:
        client.revoke(token)
    except TikTokClientError:
        pass


def _fold(name: str) -> str:
    """Names compared loosely: case, accents, spaces and a leading @ do not matter."""
    text = unicodedata.normalize("NFKC", name or "").casefold().strip().lstrip("@")
    return "".join(text.split())


def names_match(named: str, identity: Identity) -> bool:
    """Whether the account named in the form is the one that signed in."""
    return bool(_fold(named)) and _fold(named) == _fold(identity.display_name)


def verify_tiktok_request(
    session: Session, req: DeletionRequest, identity: Identity
) -> DeletionRequest:
    """Accept the TikTok sign-in as proof for ``req``, or refuse without revealing anything."""
    if req.kind != "tiktok" or req.status != RequestStatus.RECEIVED:
        raise VerifyError("This request is not waiting for verification with TikTok.")
    named = services.subject(req).get("name", "")
    if not names_match(named, identity):
        record(
            Action.DELETION_VERIFIED,
            actor=Actor.public(),
            status="error",
            summary=f"deletion request #{req.id}: signed-in account is not the one named",
            payload={"request_id": req.id},
        )
        raise VerifyError(
            "The TikTok account you signed in with is not the account named in this request, "
            "so nothing was changed. File a new request naming the account you can sign in "
            "with."
        )
    from studio.tiktok import services as tiktok

    account = tiktok.account_by_open_id(session, identity.open_id)
    return services.mark_verified(
        session,
        req,
        identifier=identity.open_id,
        changes={"open_id": identity.open_id, "verify_token": identity.pending_token},
        account_id=account.id if account is not None else None,
    )


def revoke_now(session: Session, identity: Identity) -> str:
    """The owner asked to revoke access: disconnect their account if we have it.

    Returns what was found: "revoked", "already_disconnected" or "never_connected".
    """
    from studio.tiktok import services as tiktok

    account = tiktok.account_by_open_id(session, identity.open_id)
    outcome = "never_connected" if account is None else "already_disconnected"
    if account is not None and account.data_key:
        tiktok.disconnect(session, account, Actor.public(), "access revoked by the account owner")
        outcome = "revoked"
    record(
        Action.ACCESS_REVOKED,
        actor=Actor.public(),
        summary="revocation requested by a verified TikTok account owner",
        payload={"account_found": account is not None},
        account_id=account.id if account is not None else None,
    )
    return outcome


REVOKED = "privacy_revoked"  # the session key: what /revoke found, shown once on /revoke/done


def remember_revoke(outcome: str) -> None:
    """Keep what /revoke found for the page that says so (a word, nothing identifying)."""
    from flask import session

    session[REVOKED] = outcome


def revoke_outcome() -> str | None:
    """What /revoke found, once."""
    from flask import session

    return session.pop(REVOKED, None)


def send_email_link(req: DeletionRequest, email: str) -> None:
    """Mail the verification link (always, whether or not we hold data for the address)."""
    link = url_for("privacy.email_verify", token=codes.sign_link(req.id), _external=True)
    mail.send(
        email,
        "Confirm your data deletion request",
        "Someone (hopefully you) asked us to delete the data we hold for this e-mail "
        "address.\n\nTo confirm that it was you, open this link within "
        f"the next few hours:\n\n{link}\n\nIf you did not ask, ignore this message: nothing "
        "happens without your confirmation.\n",
    )


def verify_email_request(session: Session, token: str) -> DeletionRequest:
    """Accept a signed, unexpired link as proof for its request."""
    request_id = codes.read_link(token)
    req = session.get(DeletionRequest, request_id) if request_id else None
    if req is None or req.kind != "email":
        raise VerifyError("This link is invalid or has expired. File a new request.")
    if req.status != RequestStatus.RECEIVED:
        return req
    email = services.subject(req).get("email", "")
    return services.mark_verified(session, req, identifier=email, changes={})
