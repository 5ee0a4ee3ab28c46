"""The TikTok room's erasure: one account's grant and row go, nobody else's."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Flask

from studio import db, ledger
from studio.audit import Actor
from studio.platforms.models import Account, AccountStatus
from studio.platforms.tiktok import erasure
from studio.platforms.tiktok.tokens import end_grant
from tests.helpers import add_account

OTHER = "sbx-open-id-other-000001"


def _untouched(account_id: int) -> bool:
    other = db.session.get(Account, account_id, populate_existing=True)
    return other is not None and bool(other.data_key and other.access_token_enc)


def test_erase_for_account_deletes_that_account_only(app: Flask) -> None:
    with app.app_context():
        mine, theirs = add_account("sbx-open-id-mine-000001"), add_account(OTHER)
        mine_id = mine.id
        assert erasure.account_for_subject(db.session, mine.remote_id) == mine_id
        assert erasure.erase_for_account(db.session, mine_id) == {
            "data_key": 1,
            "tiktok_profile": 1,
        }
        db.session.commit()
        assert db.session.get(Account, mine_id) is None
        assert erasure.account_for_subject(db.session, "sbx-open-id-mine-000001") is None
        assert _untouched(theirs.id)
        assert {"kind": ledger.TOKENS, "id": mine_id} in [
            {"kind": e["kind"], "id": e["id"]} for e in ledger.entries()
        ]
        assert erasure.erase_for_account(db.session, mine_id) == {}  # safe to run again


def test_revoke_for_account_ends_that_grant_at_tiktok_and_here(
    app: Flask, connected_account: Any
) -> None:
    with app.app_context():
        theirs = add_account(OTHER)
        counts = erasure.revoke_for_account(db.session, connected_account.id, Actor.system(), "r")
        assert counts == {"tiktok_tokens": 2, "data_key": 1}
        account = db.session.get_one(Account, connected_account.id, populate_existing=True)
        assert account.status == AccountStatus.DISCONNECTED and account.data_key is None
        assert account.access_token_enc is None and account.refresh_token_enc is None
        assert _untouched(theirs.id)
        assert erasure.revoke_for_account(db.session, account.id, Actor.system(), "r") == {}


def test_an_ended_grant_keeps_who_ended_it(app: Flask) -> None:
    with app.app_context():
        account = add_account("sbx-open-id-ended-00001")
        assert end_grant(db.session, account, "staff disconnected it") is True
        db.session.commit()
        ended_at = account.disconnected_at
        assert end_grant(db.session, account, "TikTok's echo") is False
        db.session.commit()
        assert account.status_reason == "staff disconnected it"
        assert account.disconnected_at == ended_at


def test_erase_tokens_again_spares_a_later_reconnection(app: Flask) -> None:
    with app.app_context():
        old, newer = add_account("sbx-open-id-restored-01"), add_account(OTHER)
        old.connected_at = db.utcnow() - dt.timedelta(days=2)
        newer.connected_at = db.utcnow()
        db.session.commit()
        erased_at = ledger.stamp(db.utcnow() - dt.timedelta(days=1))
        assert erasure.erase_tokens_again(db.session, old.id, erased_at) is True
        assert erasure.erase_tokens_again(db.session, newer.id, erased_at) is False
        restored = db.session.get_one(Account, old.id, populate_existing=True)
        assert restored.data_key is None and restored.status == AccountStatus.DISCONNECTED
        assert _untouched(newer.id)
        assert erasure.erase_tokens_again(db.session, old.id, erased_at) is False
