"""Operations commands: init, create-/delete-user, seed-demo, worker, sandbox, demo, rotate-keys."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import click
from alembic import command
from alembic.config import Config as AlembicConfig
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from studio import db, security, vault
from studio.audit import Action, Actor, record
from studio.auth import services as auth
from studio.auth.models import Role, User
from studio.jobs import huey
from studio.sandbox.server import run_sandbox
from studio.staff.services import delete_staff

ROOT = Path(__file__).resolve().parent.parent


def alembic_config(url: str) -> AlembicConfig:
    """Alembic configured for this app's database."""
    cfg = AlembicConfig(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.attributes["database_url"] = url
    return cfg


def upgrade_database(app: Flask) -> None:
    """Bring the schema to the latest migration (safe to run again)."""
    command.upgrade(alembic_config(app.config["DATABASE_URL"]), "heads")


def _read_password() -> str:
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\n")


@click.command("init")
@with_appcontext
def init_command() -> None:
    """Create instance/ (owner-only), and migrate the database to the latest schema."""
    Path(current_app.instance_path, "uploads").mkdir(parents=True, exist_ok=True)
    upgrade_database(current_app)
    security.restrict_files(Path(current_app.instance_path), recursive=True)
    click.echo(f"Database ready at {db.db.engine.url.render_as_string(hide_password=True)}")


@click.command("create-user")
@with_appcontext
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.STAFF.value)
def create_user_command(email: str, role: str) -> None:
    """Create a staff account; the password is read from a prompt (or stdin), never an argument."""
    password = _read_password()
    try:
        user = auth.create_user(db.session, email, password, Role(role))
    except auth.AuthError as exc:
        raise click.ClickException(str(exc)) from exc
    record(Action.USER_CREATED, actor=Actor.system(), summary=f"created staff #{user.id} as {role}")
    click.echo(f"Created {user.email} ({user.role}).")


@click.command("delete-user")
@with_appcontext
@click.argument("email")
def delete_user_command(email: str) -> None:
    """Delete a staff account: personal data erased, sessions ended, audit keeps the id."""
    user = auth.find_user(db.session, email)
    if user is None or user.deleted_at is not None:
        raise click.ClickException(f"No staff account with the e-mail {email}.")
    try:
        delete_staff(db.session, None, user)
    except auth.AuthError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Deleted staff #{user.id}; personal data erased, sessions ended.")


@click.command("seed-demo")
@with_appcontext
def seed_demo_command() -> None:
    """Create the demo admin (once) and print its one-time password."""
    password = seed_demo_admin()
    if password is None:
        click.echo("Users already exist; nothing seeded.")
        return
    _show_demo_admin(password)


def seed_demo_admin() -> str | None:
    """The demo admin's one-time password, or None when users already exist."""
    if db.session.scalar(select(User).limit(1)):
        return None
    password = auth.generate_password()
    auth.create_user(db.session, "admin@example.com", password, Role.ADMIN, one_time=True)
    record(Action.USER_CREATED, actor=Actor.system("seed-demo"), summary="demo admin created")
    return password


def _show_demo_admin(password: str) -> None:
    click.echo("")
    click.echo("  Demo admin:  admin@example.com")
    click.echo(f"  Password:    {password}   (one-time: you choose your own at first sign-in)")
    click.echo("")


def wait_for_port(port: int, timeout: float = 60.0) -> bool:
    """True once something accepts connections on 127.0.0.1:``port`` (False at the deadline)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        except OSError:
            time.sleep(0.2)
    return False


@click.command("worker")
@with_appcontext
@click.option("--workers", default=2, show_default=True, help="Worker threads.")
def worker_command(workers: int) -> None:
    """Run a huey consumer that executes background jobs."""
    consumer = huey.create_consumer(
        workers=workers, worker_type="thread", periodic=True, check_worker_health=True
    )
    consumer.run()


def sandbox_redirect_uris(
    app_url: str, paths: tuple[str, ...] = ("/tiktok/callback", "/privacy/verify/callback")
) -> list[str]:
    """The callbacks the local sandbox accepts for an app served at ``app_url`` (TikTok's by
    default; YouTube's and Meta's consent pages get their own, YouTube's with the privacy
    callback its owners verify through).

    A browser may open the demo as localhost or as 127.0.0.1; both name this machine.
    """
    origins = dict.fromkeys([app_url, app_url.replace("://127.0.0.1", "://localhost")])
    return [f"{origin}{path}" for origin in origins for path in paths]


@click.command("sandbox")
@with_appcontext
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=None, help="Defaults to SANDBOX_PORT.")
def sandbox_command(host: str, port: int | None) -> None:
    """Run the local TikTok sandbox."""
    cfg = current_app.config
    port = port or int(cfg["SANDBOX_PORT"])
    app_url = cfg["PUBLIC_URL"]
    run_sandbox(
        host,
        port,
        {
            "client_key": cfg["TIKTOK_CLIENT_KEY"],
            "client_secret": cfg["TIKTOK_CLIENT_SECRET"],
            "redirect_uris": sandbox_redirect_uris(app_url),
            "webhook_url": f"{app_url}/webhooks/tiktok",
            "allow_http_pull": True,
        },
        youtube={
            # Connecting the channel, and its owner proving who they are (privacy requests).
            "redirect_uris": sandbox_redirect_uris(
                app_url, ("/youtube/callback", "/privacy/verify/callback")
            ),
            **{
                key: cfg[name]
                for key, name in (
                    ("client_id", "YOUTUBE_CLIENT_ID"),
                    ("client_secret", "YOUTUBE_CLIENT_SECRET"),
                )
                if cfg.get(name)
            },
        },
        meta={
            "redirect_uris": sandbox_redirect_uris(app_url, ("/meta/callback",)),
            "deauthorize_url": f"{app_url}/webhooks/meta/deauthorize",
            "data_deletion_url": f"{app_url}/webhooks/meta/data-deletion",
            "allow_http_pull": True,
            **{
                key: cfg[name]
                for key, name in (("app_id", "META_APP_ID"), ("app_secret", "META_APP_SECRET"))
                if cfg.get(name)
            },
        },
    )


@click.command("demo")
@with_appcontext
@click.option("--port", default=5000, show_default=True)
def demo_command(port: int) -> None:
    """Run the whole app on 127.0.0.1: web server, a worker and the TikTok sandbox.

    Seeds the demo admin when there is none, and shows its one-time password again once the
    server answers, so that the server's start-up lines do not scroll it away.
    """
    password = seed_demo_admin()
    if password is not None:
        _show_demo_admin(password)
    env = {**os.environ, "STUDIO_PUBLIC_URL": f"http://127.0.0.1:{port}"}
    flask = [sys.executable, "-m", "flask", "--app", "studio"]
    children = [
        subprocess.Popen([*flask, "sandbox"], env=env),
        subprocess.Popen([*flask, "worker"], env=env),
    ]
    server = subprocess.Popen([*flask, "run", "--host", "127.0.0.1", "--port", str(port)], env=env)
    children.append(server)
    try:
        if wait_for_port(port):
            click.echo("")
            click.echo(f"Social Studio demo is up: http://127.0.0.1:{port}/  (Ctrl+C stops it)")
            if password is not None:
                _show_demo_admin(password)
            else:
                click.echo("Sign in with the admin account seeded earlier.")
        server.wait()
    except KeyboardInterrupt:
        pass
    finally:
        for child in children:
            child.terminate()
        for child in children:
            child.wait(timeout=10)


@click.command("rotate-keys")
@with_appcontext
def rotate_keys_command() -> None:
    """Re-wrap every data key and sealed secret under the newest VAULT_KEYS entry."""
    count = vault.rotate(db.session)
    record(Action.VAULT_ROTATED, actor=Actor.system(), summary=f"re-wrapped {count} keys")
    click.echo(f"Re-wrapped {count} values under the newest key.")


def init_app(app: Flask) -> None:
    """Register the commands on the app's CLI."""
    for cmd in (
        init_command,
        create_user_command,
        delete_user_command,
        seed_demo_command,
        worker_command,
        sandbox_command,
        demo_command,
        rotate_keys_command,
    ):
        app.cli.add_command(cmd)
