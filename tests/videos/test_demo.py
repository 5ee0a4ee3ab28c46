"""The demo sample: `flask videos sample` writes a valid video a newcomer can upload."""

from __future__ import annotations

from pathlib import Path

from flask.testing import FlaskCliRunner

from studio.videos import media


def test_sample_command_writes_a_valid_video(runner: FlaskCliRunner, tmp_path: Path) -> None:
    dest = tmp_path / "demo.mp4"
    result = runner.invoke(args=["videos", "sample", str(dest), "--seconds", "3"])
    assert result.exit_code == 0, result.output
    info = media.validate(dest)
    assert (info.container, info.video_codec, info.width, info.height) == ("mp4", "h264", 720, 1280)
