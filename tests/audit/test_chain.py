"""Tamper evidence: every kind of change is found, at the right seq; erasure still verifies."""

from __future__ import annotations

import json

from flask import Flask
from sqlalchemy import select

from studio.audit import chain, seals, services
from studio.audit.store import TABLE, Spec, build_row
from tests.audit.conftest import check, execute


def test_fresh_chain_is_intact(app: Flask, entries) -> None:
    entries(7)
    report = check(app)
    assert report.intact and report.entries == 7
    assert report.message() == "7 entries, intact"


def test_empty_chain_is_intact(app: Flask) -> None:
    assert check(app).message() == "0 entries, intact"


def test_changed_field_breaks_at_its_seq(app: Flask, entries) -> None:
    entries(8)
    execute(app, "UPDATE audit_entries SET summary = 'nothing happened' WHERE seq = 5")
    report = check(app)
    assert report.broken_seq == 5 and "field changed" in report.reason


def test_changed_status_breaks_at_its_seq(app: Flask, entries) -> None:
    entries(4)
    execute(app, "UPDATE audit_entries SET status = 'error' WHERE seq = 2")
    assert check(app).broken_seq == 2


def test_changed_payload_breaks_at_its_seq(app: Flask, entries) -> None:
    entries(8)
    execute(app, "UPDATE audit_entries SET payload = '{\"n\": 99}' WHERE seq = 6")
    report = check(app)
    assert report.broken_seq == 6 and "payload" in report.reason


def test_deleted_entry_breaks_at_its_seq(app: Flask, entries) -> None:
    entries(8)
    execute(app, "DELETE FROM audit_entries WHERE seq = 4")
    report = check(app)
    assert report.broken_seq == 4 and "missing" in report.reason


def test_reordered_entries_break_at_the_first(app: Flask, entries) -> None:
    entries(8)
    execute(app, "UPDATE audit_entries SET seq = -3 WHERE seq = 3")
    execute(app, "UPDATE audit_entries SET seq = 3 WHERE seq = 4")
    execute(app, "UPDATE audit_entries SET seq = 4 WHERE seq = -3")
    assert check(app).broken_seq == 3


def test_cut_tail_is_caught_by_the_seal(app: Flask, entries) -> None:
    entries(8)
    with app.app_context():
        assert seals.seal(app).seq == 8
    execute(app, "DELETE FROM audit_entries WHERE seq > 5")
    report = check(app)
    assert report.broken_seq == 6 and "cut off" in report.reason


def _rewrite_from(app: Flask, start: int) -> None:
    """What an attacker with the database can do: change an entry and re-hash the rest."""
    with app.extensions["db"]["engine"].begin() as conn:
        rows = conn.execute(select(TABLE).order_by(TABLE.c.seq)).mappings().all()
        prev = rows[start - 2]["hash"] if start > 1 else chain.GENESIS
        for row in rows[start - 1 :]:
            fields = {k: row[k] for k in Spec.__dataclass_fields__ if k in row}
            if row["seq"] == start:
                fields["summary"] = "rewritten"
            new = build_row(row["seq"], row["at"], prev, Spec(**fields))
            conn.execute(TABLE.update().where(TABLE.c.seq == row["seq"]).values(**new))
            prev = new["hash"]


def test_consistent_rewrite_verifies_without_seals(app: Flask, entries) -> None:
    entries(6)
    _rewrite_from(app, 3)
    assert check(app).intact  # why the seals exist


def test_consistent_rewrite_is_caught_by_the_seal(app: Flask, entries) -> None:
    entries(6)
    with app.app_context():
        seals.seal(app)
    entries(2)
    _rewrite_from(app, 3)
    report = check(app)
    assert report.broken_seq == 6 and "rewritten" in report.reason


def test_forged_seal_is_caught(app: Flask, entries) -> None:
    entries(3)
    with app.app_context():
        seals.seal(app)
    path = seals.path(app)
    line = json.loads(path.read_text())
    line["hash"] = "f" * 64
    path.write_text(json.dumps(line) + "\n")
    report = check(app)
    assert not report.intact and "bad MAC" in report.reason


def test_unreadable_seal_file_is_reported(app: Flask, entries) -> None:
    entries(2)
    seals.path(app).write_text("not json\n")
    assert "unreadable" in check(app).reason


def test_seal_skips_an_unchanged_head(app: Flask, entries) -> None:
    entries(2)
    with app.app_context():
        assert seals.seal(app) is not None
        assert seals.seal(app) is None
    entries(1)
    with app.app_context():
        assert seals.seal(app).seq == 3
        assert seals.last_seal(app).seq == 3


def test_erased_payloads_still_verify(app: Flask, entries) -> None:
    entries(3, account_id=7)
    entries(2, account_id=8)
    with app.app_context():
        seals.seal(app)
        from studio import db

        assert services.erase_payloads(db.session, 7) == 3
        db.session.commit()
        assert services.erase_payloads(db.session, 7) == 0
    report = check(app)
    assert report.intact and report.erased == 3
    with app.extensions["db"]["engine"].connect() as conn:
        rows = conn.execute(select(TABLE.c.account_id, TABLE.c.payload, TABLE.c.salt)).all()
    assert all((p is None and s is None) == (a == 7) for a, p, s in rows)


def test_half_erased_payload_is_caught(app: Flask, entries) -> None:
    entries(3)
    execute(app, "UPDATE audit_entries SET payload = NULL WHERE seq = 2")
    report = check(app)
    assert report.broken_seq == 2 and "erased together" in report.reason


def test_unsealed_entries_are_a_warning(app: Flask, entries) -> None:
    entries(2)
    assert check(app).warnings == ["no seals yet: run `flask --app studio audit seal`"]
    with app.app_context():
        seals.seal(app)
    entries(1)
    report = check(app)
    assert report.intact and report.warnings == ["entries after seq 2 are not sealed yet"]


def test_erase_payloads_matching_an_identifier(app: Flask) -> None:
    from studio import db
    from studio.audit import Action, record

    with app.app_context():
        record(Action.TIKTOK_REQUEST, payload={"body": {"open_id": "sbx-open-id-123_%"}})
        record(Action.TIKTOK_REQUEST, payload={"body": {"open_id": "someone-else"}})
        record(Action.TIKTOK_REQUEST, payload={"body": {"open_id": "sbx-open-id-1234"}})
        seals.seal(app)
        assert services.erase_payloads_matching(db.session, ["sbx-open-id-123_%", "ab"]) == 1
        assert services.erase_payloads_matching(db.session, ["x", ""]) == 0
        db.session.commit()
    report = check(app)
    assert report.intact and report.erased == 1


# The hashed fields before audit entries named their platform (migration 0015).
FIELDS_BEFORE_0015 = (
    "seq", "at", "kind", "status", "actor_kind", "actor_id", "actor_label", "account_id",
    "post_id", "job_id", "summary", "method", "endpoint", "http_status", "duration_ms",
    "tiktok_code", "log_id", "error",
)  # fmt: skip


def test_an_entry_without_a_platform_hashes_as_before_the_field_existed() -> None:
    import datetime as dt
    import hashlib

    row = {name: None for name in chain.FIELDS}
    row.update(seq=7, at=dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC), kind="tiktok:request")
    row.update(status="ok", actor_kind="job", summary="POST /v2/post/publish/status/fetch/ → 200")
    row.update(platform_code="ok", http_status=200)
    old = [row["platform_code" if n == "tiktok_code" else n] for n in FIELDS_BEFORE_0015]
    old[1] = chain.format_at(old[1])
    legacy = json.dumps(old, ensure_ascii=False, separators=(",", ":")).encode()
    expected = hashlib.sha256(b"p" * 64 + legacy + b"d" * 64).hexdigest()
    assert chain.entry_hash("p" * 64, chain.values_of(row), "d" * 64) == expected
    row["platform"] = "tiktok"  # and naming it changes the hash: the field is committed to
    assert chain.entry_hash("p" * 64, chain.values_of(row), "d" * 64) != expected
