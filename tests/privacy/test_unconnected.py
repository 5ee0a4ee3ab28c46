"""People without a connected account: their TikTok ID and name leave the audit log in time."""

from __future__ import annotations

from sqlalchemy import select

from studio import db
from studio.audit.models import AuditEntry
from studio.audit.verify import verify as verify_chain
from studio.privacy import retention
from tests.privacy.conftest import delete_now, file_request, verify_with_tiktok

QUIET_OPEN_ID = "sbx-2b8e4d7f-0002-4c1a-8b32-quiet0000002"


def _mentions(app, needle: str) -> list[AuditEntry]:
    with app.app_context():
        query = select(AuditEntry).where(AuditEntry.payload.contains(needle))
        return list(db.session.scalars(query))


def test_revoking_without_a_connected_account_is_purged_after_the_stated_period(
    app, client, sandbox
):
    verify_with_tiktok(client, sandbox, creator="quiet", start_url="/revoke")
    entries = _mentions(app, QUIET_OPEN_ID) + _mentions(app, "Quiet Lab")
    assert entries and all(e.account_id is None for e in entries)
    with app.app_context():
        assert retention.purge(db.session).counts.get("unconnected_audit_payloads", 0) == 0
    assert _mentions(app, QUIET_OPEN_ID)  # kept within the period
    app.config["UNCONNECTED_AUDIT_DAYS"] = 0
    with app.app_context():
        result = retention.purge(db.session)
        assert result.counts["unconnected_audit_payloads"] >= len(entries)
        assert verify_chain(app).intact
    assert _mentions(app, QUIET_OPEN_ID) == [] and _mentions(app, "Quiet Lab") == []
    policy = client.get("/privacy").get_data(as_text=True)
    assert "without a connected account" in policy and "0 days" in policy


def test_a_failed_name_check_is_erased_on_request(app, client, sandbox):
    file_request(client)  # names "Acme Studio", but "quiet" signs in: refused
    assert verify_with_tiktok(client, sandbox, creator="quiet").status_code == 403
    assert _mentions(app, QUIET_OPEN_ID)
    other = app.test_client()
    file_request(other, name="Quiet Lab (private)")
    assert verify_with_tiktok(other, sandbox, creator="quiet").status_code == 303
    assert delete_now(other).status_code == 303
    assert _mentions(app, QUIET_OPEN_ID) == [] and _mentions(app, "Quiet Lab") == []
