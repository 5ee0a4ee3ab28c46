"""`flask --app studio audit verify|seal`."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy.exc import SQLAlchemyError

from studio.audit import seals
from studio.audit.verify import verify

audit_cli = AppGroup("audit", help="Check and seal the tamper-evident audit log.")
NOT_READY = "the audit log cannot be read: {}. Run `flask --app studio init` first."


def _not_ready(exc: SQLAlchemyError) -> click.ClickException:
    return click.ClickException(NOT_READY.format(exc.__class__.__name__))


@audit_cli.command("verify")
@click.option("--batch", default=5000, show_default=True, help="Rows read per query.")
def verify_command(batch: int) -> None:
    """Walk the chain and check it against the seals (read-only)."""
    try:
        report = verify(current_app, batch=batch)
    except SQLAlchemyError as exc:
        raise _not_ready(exc) from exc
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    if report.last_seal is not None:
        click.echo(f"last seal: seq {report.last_seal.seq} at {report.last_seal.at}")
    if not report.intact:
        raise click.ClickException(report.message())
    click.echo(report.message())


@audit_cli.command("seal")
def seal_command() -> None:
    """Seal the chain head now (MAC with AUDIT_SEAL_KEY, appended to the seal file)."""
    try:
        made = seals.seal(current_app)
    except SQLAlchemyError as exc:
        raise _not_ready(exc) from exc
    if made is None:
        click.echo("Nothing to seal: the chain is empty or its head is already sealed.")
        return
    click.echo(f"Sealed seq {made.seq} ({made.hash[:16]}…) into {seals.path(current_app)}")
