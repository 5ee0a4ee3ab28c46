"""A sample video a newcomer can upload, generated once on demand (no binaries in git)."""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import TypedDict

import click
from flask import Flask, current_app

from studio.videos import samples


class Shape(TypedDict):
    """The sample video's shape (keyword arguments of ``samples.make_video``)."""

    seconds: float
    width: int
    height: int
    fps: int


SAMPLE: Shape = {"seconds": 6.0, "width": 720, "height": 1280, "fps": 30}


def sample_path() -> Path:
    """instance/samples/sample.mp4, encoded the first time it is asked for."""
    folder = Path(current_app.instance_path) / "samples"
    folder.mkdir(mode=0o700, exist_ok=True)
    path = folder / "sample.mp4"
    if not path.is_file():
        tmp = folder / f".{uuid.uuid4().hex}.mp4"
        samples.make_video(tmp, **SAMPLE)
        os.replace(tmp, path)  # concurrent first requests each write their own, one wins
    return path


@click.group("videos")
def videos_cli() -> None:
    """Video library commands."""


@videos_cli.command("sample")
@click.argument("dest", type=click.Path(dir_okay=False, writable=True), required=False)
@click.option("--seconds", default=6.0, show_default=True, help="Length of the video.")
def sample_command(dest: str | None, seconds: float) -> None:
    """Write a small valid sample video (H.264 MP4, 720x1280, 30 fps) to DEST."""
    if dest is None:
        click.echo(sample_path())
        return
    shape: Shape = {**SAMPLE, "seconds": seconds}
    samples.make_video(dest, **shape)
    click.echo(dest)


def init_app(app: Flask) -> None:
    """Register the `flask videos` commands."""
    app.cli.add_command(videos_cli)
