"""`flask audit verify` and `flask audit seal`, and the periodic seal task."""

from __future__ import annotations

from flask import Flask

from studio.audit import seals
from tests.audit.conftest import execute


def test_verify_reports_intact(app: Flask, entries) -> None:
    entries(5)
    result = app.test_cli_runner().invoke(args=["audit", "verify", "--batch", "2"])
    assert result.exit_code == 0
    assert "5 entries, intact" in result.output
    assert "no seals yet" in result.output


def test_seal_then_verify(app: Flask, entries) -> None:
    entries(3)
    runner = app.test_cli_runner()
    sealed = runner.invoke(args=["audit", "seal"])
    assert sealed.exit_code == 0 and "Sealed seq 3" in sealed.output
    again = runner.invoke(args=["audit", "seal"])
    assert "Nothing to seal" in again.output
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "last seal: seq 3" in result.output


def test_verify_reports_the_broken_seq(app: Flask, entries) -> None:
    entries(5)
    execute(app, "UPDATE audit_entries SET account_id = 42 WHERE seq = 3")
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "chain broken at seq 3" in result.output


def test_verify_is_read_only(app: Flask, entries) -> None:
    entries(2)
    app.test_cli_runner().invoke(args=["audit", "verify"])
    assert not seals.path(app).exists()


def test_periodic_task_seals(app: Flask, entries) -> None:
    from studio.audit.tasks import seal_chain

    entries(4)
    with app.app_context():
        assert seal_chain.call_local() == 4
        assert seal_chain.call_local() is None
    assert seals.last_seal(app).seq == 4


def test_seal_path_is_configurable(make_app, tmp_path) -> None:
    app = make_app(AUDIT_SEAL_PATH=str(tmp_path / "elsewhere" / "seals.jsonl"))
    from tests.audit.conftest import append_entries

    append_entries(app, 1)
    with app.app_context():
        seals.seal(app)
    assert (tmp_path / "elsewhere" / "seals.jsonl").exists()


def test_verify_on_an_unmigrated_database_says_what_to_do(app: Flask, broken_audit_table) -> None:
    broken_audit_table()
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and "flask --app studio init" in result.output
    assert "Traceback" not in result.output
