"""`flask --app studio tiktok ...`: inspect accounts and refresh tokens by hand."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from studio import db
from studio.audit import Actor, scope
from studio.platforms.tiktok import services
from studio.platforms.tiktok.errors import PlatformError, ReconnectNeeded

group = AppGroup("tiktok", help="TikTok connection: status and token refresh.")


@group.command("status")
def status_command() -> None:
    """List connected accounts and when their tokens expire (never the tokens)."""
    accounts = services.all_accounts(db.session)
    if not accounts:
        click.echo("No TikTok account has been connected.")
    for a in accounts:
        click.echo(f"#{a.id} {a.display_name or '-'} ({a.remote_id}) {a.status}")
        click.echo(f"    scopes: {a.scopes or '-'}")
        click.echo(f"    access token until: {a.access_expires_at or '-'}")
        click.echo(f"    refresh token until: {a.refresh_expires_at or '-'}")


@group.command("refresh")
@click.option("--account", "account_id", type=int, default=None, help="Only this account.")
def refresh_command(account_id: int | None) -> None:
    """Refresh access tokens now (single-flight per account)."""
    ids = [account_id] if account_id else [a.id for a in services.connected_accounts(db.session)]
    failed = False
    with scope(actor=Actor.system("cli")):
        for ident in ids:
            try:
                services.force_refresh(db.session, ident)
            except (ReconnectNeeded, PlatformError) as exc:
                failed = True
                click.echo(f"#{ident}: {exc}", err=True)
            else:
                click.echo(f"#{ident}: refreshed")
    if failed:
        raise SystemExit(1)


def init_app(app: Flask) -> None:
    """Register the command group."""
    app.cli.add_command(group)
