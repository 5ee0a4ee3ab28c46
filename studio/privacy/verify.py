"""Proving ownership: "Verify with TikTok" (user.info.basic round trip) and e-mailed links.

The TikTok round trip reuses the tiktok room's flow (state, PKCE, single use). What we act on
is always the open_id TikTok returns for whoever signed in, never what the form named, so a
request for someone else's account can only ever reach the requester's own data.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from flask import session as flask_session
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from studio import db
from studio.audit import Action, Actor, record, scope
from studio.platforms.tiktok import erasure as tiktok_erasure
from studio.platforms.tiktok import services as tiktok
from studio.platforms.tiktok.errors import PlatformError
from studio.privacy import codes, mail, services
from studio.privacy.models import DeletionLink, DeletionRequest, RequestStatus, RequestType
from studio.security import external_url

PURPOSE = "privacy_verify"
SCOPES = ["user.info.basic"]
CALLBACK = "privacy.verify_callback"


LINK_USED = (
    "This link has already been used. Follow your request with its confirmation code; "
    "if it is still waiting for you, its status page can send a new link."
)


class VerifyError(Exception):
    """Verification failed; the message is shown to the requester and reveals nothing."""


class LinkUsed(VerifyError):
    """The e-mailed link was already used: it grants nothing a second time."""


@dataclass(frozen=True)
class Identity:
    """Who signed in at TikTok, and the verification token when it must outlive the call."""

    open_id: str
    display_name: str
    pending_token: str | None = field(default=None, repr=False)


def purpose_of(req: DeletionRequest | None) -> str:
    """The round trip's purpose: "deletion" keeps a connected owner's token for the erasure;
    "data_request" (copy, correction) neither keeps nor revokes it, because revoking at TikTok
    would end the app's whole authorization, which only an erasure may do."""
    if req is not None and req.request_type != RequestType.ERASURE:
        return "data_request"
    return "deletion"


def start(purpose: str, request_id: int | None = None) -> str:
    """Begin a TikTok round trip; returns the consent URL."""
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
    with scope(actor=Actor.public()):
        tokens, flow = tiktok.finish_flow(PURPOSE, args)
        context = tiktok.flow_context(flow)
        account = tiktok.account_by_open_id(session, tokens.open_id) if tokens.open_id else None
        account_id = account.id if account is not None else None
        with scope(account_id=account_id):
            client = tiktok.get_client()
            try:
                profile = client.user_info(tokens.access_token, ["open_id", "display_name"])
            except PlatformError as exc:
                raise VerifyError(
                    "TikTok did not tell us who signed in. Nothing was changed; try again."
                ) from exc
            finally:
                connected = account is not None and bool(account.data_key)
                keep = connected and context.get("purpose") == "deletion"
                spare = connected and context.get("purpose") == "data_request"
                if not keep and not spare:
                    tiktok_erasure.revoke_token(tokens.access_token)
            open_id = str(profile.get("open_id") or tokens.open_id)
    if not open_id or (tokens.open_id and open_id != tokens.open_id):
        raise VerifyError("TikTok did not confirm who signed in. Nothing was changed.")
    name = str(profile.get("display_name") or "")
    return context, Identity(open_id, name, tokens.access_token if keep else None)


def _fold(name: str) -> str:
    """Names compared loosely: case, accents, spaces and a leading @ do not matter."""
    text = unicodedata.normalize("NFKC", name or "").casefold().strip().lstrip("@")
    return "".join(text.split())


def names_match(named: str, identity: Identity) -> bool:
    """Whether the account named in the form is the one that signed in."""
    return bool(_fold(named)) and _fold(named) == _fold(identity.display_name)


def named_again(req: DeletionRequest, typed: str) -> bool:
    """Whether ``typed`` is the account name (or e-mail address) the request named."""
    named = services.subject(req)
    if req.kind == "email":
        wanted = (named.get("email") or "").strip().lower()
        return bool(wanted) and wanted == (typed or "").strip().lower()
    return bool(_fold(typed)) and _fold(typed) == _fold(named.get("name", ""))


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
    flask_session[REVOKED] = outcome


def revoke_outcome() -> str | None:
    """What /revoke found, once."""
    return flask_session.pop(REVOKED, None)


def send_email_link(session: Session, req: DeletionRequest, email: str, code: str) -> None:
    """Mail a new single-use verification link, the code and the status page's address.

    Mailed whether or not we hold data for the address. The code is the requester's and the
    mailbox too, so the text may name it; URLs never carry it (the status link is the lookup
    page), and the link's token is stored only as its hash.
    """
    token = codes.new_link_token()
    hours = int(current_app.config["DELETION_LINK_HOURS"])
    db.begin_write(session)
    expires = db.utcnow() + dt.timedelta(hours=hours)
    session.add(
        DeletionLink(request_id=req.id, token_hash=codes.hash_token(token), expires_at=expires)
    )
    session.commit()
    mail.send(
        email,
        "Confirm your data request",
        EMAIL_TEXT.format(
            what=ASKED[req.request_type],
            link=external_url("privacy.email_verify", token=token),
            expires=f"{expires:%A %d %B %Y, %H:%M} UTC",
            code=codes.grouped(code),
            status=external_url("privacy.status_lookup"),
        ),
    )


ASKED = {
    RequestType.ERASURE: "to delete the data",
    RequestType.COPY: "for a copy of the data",
    RequestType.CORRECTION: "to correct the data",
}

EMAIL_TEXT = """\
Someone (hopefully you) asked us {what} we hold for this e-mail address.

To confirm that it was you, open this link (it works once, until {expires}):

{link}

Your confirmation code is: {code}

Keep it: with it you can follow your request at any time on {status}
(enter the code there). If the link expires, the status page sends you a new one.

If you did not ask, ignore this message: nothing happens without your confirmation.
"""


def link_state(session: Session, token: str) -> str:
    """ "valid", "used" or "invalid" (unknown, expired, or its request is gone)."""
    link = session.scalar(
        select(DeletionLink).where(DeletionLink.token_hash == codes.hash_token(token))
    )
    session.commit()
    if link is None:
        return "invalid"
    if link.used_at is not None:
        return "used"
    return "valid" if link.expires_at > db.utcnow() else "invalid"


def verify_email_request(session: Session, token: str) -> DeletionRequest:
    """Use a link up (atomically: of two uses, one wins) and accept it as proof."""
    now = db.utcnow()
    db.begin_write(session)
    used = session.execute(
        update(DeletionLink)
        .where(
            DeletionLink.token_hash == codes.hash_token(token),
            DeletionLink.used_at.is_(None),
            DeletionLink.expires_at > now,
        )
        .values(used_at=now)
        .returning(DeletionLink.request_id)
    ).scalar()
    session.commit()
    if used is None:
        if link_state(session, token) == "used":
            raise LinkUsed(LINK_USED)
        raise VerifyError("This link is invalid or has expired. File a new request.")
    req = session.get(DeletionRequest, used)
    if req is None or req.kind != "email" or req.status != RequestStatus.RECEIVED:
        raise VerifyError("This request is no longer waiting for verification.")
    email = services.subject(req).get("email", "")
    return services.mark_verified(session, req, identifier=email, changes={})
