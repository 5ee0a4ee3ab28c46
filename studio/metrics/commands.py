"""`flask --app studio metrics snapshot`: one snapshot round now, for operators."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from studio import db
from studio.audit import Actor, scope
from studio.metrics import erasure
from studio.metrics.snapshot import run_round

group = AppGroup("metrics", help="Performance figures of the connected accounts.")


@group.command("snapshot")
@click.option("--force", is_flag=True, help="Read accounts already read completely today.")
def snapshot(force: bool) -> None:
    """Read every connected account's figures now and store today's snapshot."""
    with scope(actor=Actor.system("cli")):
        report = run_round(db.session, force=force)
    purged = erasure.purge_expired(db.session)
    click.echo(
        f"{report.day}: {report.read} accounts read, {report.videos} videos, "
        f"{report.calls} calls; {purged} snapshots past retention deleted"
    )
    for account_id, why in sorted(report.skipped.items()):
        click.echo(f"  account #{account_id}: {why}")


def init_app(app: Flask) -> None:
    """Register the command group."""
    app.cli.add_command(group)
