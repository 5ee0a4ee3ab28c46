"""Files under instance/ after a demo-like run: owner-only, whatever the umask was."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from studio.platforms.models import DeliveryStatus
from tests.helpers import delivery_of
from tests.privacy.conftest import file_request


@pytest.fixture
def usual_umask() -> Iterator[None]:
    """The process starts with a usual umask (022); the app must not rely on a strict one."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def open_to_others(root: Path) -> list[str]:
    """Every path under ``root`` (itself included) that group or others can use."""
    paths = [root, *root.rglob("*")]
    return sorted(
        f"{p.relative_to(root)} {stat.filemode(p.lstat().st_mode)}"
        for p in paths
        if not p.is_symlink() and p.lstat().st_mode & 0o077
    )


def test_instance_files_are_owner_only_after_a_demo_like_run(
    usual_umask: None, app: Flask, runner, sent_post, client: FlaskClient, users: dict
) -> None:
    instance = Path(app.instance_path)
    instance.chmod(0o755)  # as a git checkout leaves it (.gitkeep is tracked)
    assert runner.invoke(args=["init"]).exit_code == 0
    with app.app_context():
        assert delivery_of(sent_post.id).status == DeliveryStatus.IN_INBOX
    file_request(client, kind="email", email=users["staff"])  # its mail goes to the outbox
    handler = logging.FileHandler(instance / "logs.log")  # a log an operator points here
    logging.getLogger("studio").addHandler(handler)
    try:
        logging.getLogger("studio").warning("a line")
    finally:
        logging.getLogger("studio").removeHandler(handler)
        handler.close()
    created = {p.name for p in instance.iterdir()}
    sqlite = app.config["DATABASE_URL"].startswith("sqlite")
    assert {"uploads", "outbox", "logs.log"} | ({"studio.db"} if sqlite else set()) <= created
    assert open_to_others(instance) == []


def test_init_fixes_files_an_older_version_left_open(usual_umask: None, app: Flask, runner) -> None:
    instance = Path(app.instance_path)
    old = instance / "uploads" / "ab" / "old.mp4"
    old.parent.mkdir(mode=0o755, parents=True, exist_ok=True)
    old.write_bytes(b"x")
    for path in (instance, old.parent.parent, old.parent, old, *instance.glob("studio.db*")):
        path.chmod(0o755 if path.is_dir() else 0o644)
    assert runner.invoke(args=["init"]).exit_code == 0
    assert open_to_others(instance) == []
