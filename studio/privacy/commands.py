"""`flask purge [--dry-run]` (retention periods) and `flask privacy replay-deletions`."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext

from studio import db
from studio.audit import Actor
from studio.privacy import replay, retention

LABELS = {
    "video_files": "video files past their retention period",
    "video_records": "records of videos whose file is gone and no post refers to",
    "expired_tokens": "TikTok token sets whose refresh token expired",
    "webhook_deliveries": "processed webhook deliveries past their retention period",
    "unverified_requests": "deletion requests never verified (closed)",
    "deletion_receipts": "deletion receipts past their retention period",
    "staff_sessions": "expired staff sign-in sessions",
    "oauth_flows": "expired platform authorization attempts",
    "outbox_mail": "outgoing e-mail copies past their retention period",
    "contact_messages": "contact-form messages past their retention period",
    "audit_entries": "audit log entries past its retention (whole sealed segments)",
    "ledger_entries": "deletion ledger entries older than every kept backup",
}


@click.command("purge")
@click.option("--dry-run", is_flag=True, help="Only show what would be deleted.")
@with_appcontext
def purge_command(dry_run: bool) -> None:
    """Delete what the data inventory says we no longer keep."""
    result = retention.purge(db.session, dry_run=dry_run, actor=Actor.system("purge"))
    verb = "Would delete" if dry_run else "Deleted"
    if not result.total:
        click.echo("Nothing is past its retention period.")
        return
    for key, count in sorted(result.counts.items()):
        if count:
            click.echo(f"{verb} {count} {LABELS.get(key, key)}")
    if dry_run:
        click.echo("Dry run: nothing was changed. Run without --dry-run to delete.")


@click.group("privacy")
def privacy_group() -> None:
    """Privacy operations."""


@privacy_group.command("replay-deletions")
@with_appcontext
def replay_deletions_command() -> None:
    """After restoring a database backup: erase again what the deletion ledger lists."""
    counts = replay.replay(db.session)
    click.echo(
        f"Erased again: {counts['account']} account(s), {counts['tokens']} token set(s), "
        f"{counts['staff']} staff account(s). Everything in the ledger is erased."
    )


def init_app(app: Flask) -> None:
    """Register the commands."""
    app.cli.add_command(purge_command)
    app.cli.add_command(privacy_group)
