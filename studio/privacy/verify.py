"""Proving ownership by signing in at the account's platform (e-mailed links: links.py).

The sign-in is the platform's own (its `SignIn`, from the registry: "Verify with TikTok",
"Verify with Google" for a YouTube channel). What we act on is always the id the platform
returns for whoever signed in, never what the form named, so a request for someone else's
account can only ever reach the requester's own data.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from flask import session as flask_session
from sqlalchemy.orm import Session

from studio.audit import Action, Actor, record, scope
from studio.platforms import registry
from studio.platforms.erasure import Erasure, Identity, NotConfirmed, SignIn
from studio.platforms.oauth import platform_of
from studio.privacy import services
from studio.privacy.models import DeletionRequest, RequestStatus, RequestType

CALLBACK = "privacy.verify_callback"  # one callback for every platform's sign-in


class VerifyError(Exception):
    """Verification failed; the message is shown to the requester and reveals nothing."""


@dataclass(frozen=True)
class Verified:
    """Who signed in, at which platform, and the token when it must outlive the call."""

    erasure: Erasure
    identity: Identity
    pending_token: str | None = field(default=None, repr=False)

    @property
    def sign_in(self) -> SignIn:
        """The platform's sign-in (every `Verified` came through one)."""
        assert self.erasure.sign_in is not None
        return self.erasure.sign_in


def sign_ins() -> dict[str, SignIn]:
    """Request kind → the sign-in that proves it, for the platforms configured here (in the
    registry's order)."""
    return {
        e.kind: e.sign_in
        for e in registry.erasures()
        if e.sign_in is not None and e.sign_in.available(current_app.config)
    }


def signing_in(kind: str) -> SignIn:
    """The sign-in that proves requests of `kind` (VerifyError when there is none here)."""
    sign_in = sign_ins().get(kind)
    if sign_in is None:
        raise VerifyError("This request cannot be verified by signing in.")
    return sign_in


def purpose_of(req: DeletionRequest | None) -> str:
    """The round trip's purpose: "deletion" keeps a connected owner's token for the erasure;
    "data_request" (copy, correction) neither keeps nor revokes it, because revoking at the
    platform would end the app's whole authorization, which only an erasure may do."""
    if req is not None and req.request_type != RequestType.ERASURE:
        return "data_request"
    return "deletion"


def start(purpose: str, request_id: int | None = None, kind: str = "tiktok") -> str:
    """Begin a sign-in at the platform of `kind`; returns its consent URL."""
    context: dict[str, Any] = {"purpose": purpose}
    if request_id is not None:
        context["request_id"] = request_id
    return signing_in(kind).start(context, CALLBACK)


def _answering(args: Mapping[str, str]) -> Erasure:
    """The platform whose sign-in the callback answers (by its state; the first one when the
    state is unknown, whose flow check then refuses it)."""
    platform = platform_of(args)
    erasure = registry.erasure_of(platform) if platform else None
    if erasure is None or erasure.sign_in is None:
        return next(e for e in registry.erasures() if e.sign_in is not None)
    return erasure


def finish(session: Session, args: Mapping[str, str]) -> tuple[dict[str, Any], Verified]:
    """Finish the sign-in: the flow's context and who signed in, at which platform.

    The sign-in's token is revoked at once, except when it belongs to an account we have
    connected and the owner asks for deletion: the platform's revocation removes the app's
    whole authorization, which must wait until the request is carried out (it is then kept
    only encrypted under the request's own key, and revoked by the erasure).
    """
    erasure = _answering(args)
    sign_in = erasure.sign_in
    assert sign_in is not None
    with scope(actor=Actor.public()):
        try:
            context, identity = sign_in.finish(session, args)
        except NotConfirmed as exc:
            raise VerifyError(str(exc)) from exc
        connected = erasure.connected(session, identity.remote_id)
        keep = connected and context.get("purpose") == "deletion"
        spare = connected and context.get("purpose") == "data_request"
        if not keep and not spare:
            with scope(account_id=_one(erasure.locate(session, identity.remote_id))):
                sign_in.revoke_token(identity.token)
    return context, Verified(erasure, identity, identity.token if keep else None)


def _one(ids: list[int]) -> int | None:
    return ids[0] if len(ids) == 1 else None


def _fold(name: str) -> str:
    """Names compared loosely: case, accents, spaces and a leading @ do not matter."""
    text = unicodedata.normalize("NFKC", name or "").casefold().strip().lstrip("@")
    return "".join(text.split())


def names_match(named: str, identity: Identity) -> bool:
    """Whether the account named in the form is the one that signed in (any of its names)."""
    return bool(_fold(named)) and any(_fold(named) == _fold(n) for n in identity.names)


def named_again(req: DeletionRequest, typed: str) -> bool:
    """Whether ``typed`` is the account name (or e-mail address) the request named."""
    named = services.subject(req)
    if req.kind == "email":
        wanted = (named.get("email") or "").strip().lower()
        return bool(wanted) and wanted == (typed or "").strip().lower()
    return bool(_fold(typed)) and _fold(typed) == _fold(named.get("name", ""))


def verify_request(session: Session, req: DeletionRequest, verified: Verified) -> DeletionRequest:
    """Accept the sign-in as proof for ``req``, or refuse without revealing anything."""
    erasure, identity, word = verified.erasure, verified.identity, verified.sign_in.account_word
    if req.kind != erasure.kind or req.status != RequestStatus.RECEIVED:
        raise VerifyError(
            f"This request is not waiting for verification with {verified.sign_in.label}."
        )
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
            f"The {word} you signed in with is not the account named in this request, so "
            "nothing was changed. File a new request naming the account you can sign in with."
        )
    return services.mark_verified(
        session,
        req,
        identifier=identity.remote_id,
        changes={erasure.subject_key: identity.remote_id, "verify_token": verified.pending_token},
        account_id=_one(erasure.locate(session, identity.remote_id)),
    )


def revoke_now(session: Session, verified: Verified) -> str:
    """The owner asked to revoke access: disconnect their account if we have it.

    Returns what was found: "revoked", "already_disconnected" or "never_connected".
    """
    erasure, remote_id = verified.erasure, verified.identity.remote_id
    found = erasure.locate(session, remote_id)
    outcome = "never_connected" if not found else "already_disconnected"
    if erasure.revoke(session, remote_id, Actor.public(), "access revoked by the account owner"):
        outcome = "revoked"
    record(
        Action.ACCESS_REVOKED,
        actor=Actor.public(),
        summary=f"revocation requested by a verified {verified.sign_in.account_word} owner",
        payload={"account_found": bool(found)},
        account_id=_one(found),
    )
    return outcome


REVOKED = "privacy_revoked"  # the session key: what /revoke found, shown once on /revoke/done
REVOKED_AT = "privacy_revoked_at"  # and the request kind of the platform it was at


def remember_revoke(outcome: str, kind: str) -> None:
    """Keep what /revoke found, and at which platform, for the page that says so (words,
    nothing identifying)."""
    flask_session[REVOKED] = outcome
    flask_session[REVOKED_AT] = kind


def revoke_outcome() -> tuple[str | None, SignIn | None]:
    """What /revoke found, once, and the sign-in it went through."""
    kind = flask_session.pop(REVOKED_AT, None)
    return flask_session.pop(REVOKED, None), sign_ins().get(kind or "")
