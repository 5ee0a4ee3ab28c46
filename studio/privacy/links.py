"""Proving ownership of an e-mail address: single-use links, mailed with the request's code."""

from __future__ import annotations

import datetime as dt

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from studio import db
from studio.privacy import codes, mail, services
from studio.privacy.models import DeletionLink, DeletionRequest, RequestStatus, RequestType
from studio.privacy.verify import VerifyError
from studio.security import external_url

LINK_USED = (
    "This link has already been used. Follow your request with its confirmation code; "
    "if it is still waiting for you, its status page can send a new link."
)


class LinkUsed(VerifyError):
    """The e-mailed link was already used: it grants nothing a second time."""


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
