"""Display names from the client are cleaned for people and never become paths."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from studio.videos.names import FALLBACK, MAX_LENGTH, clean_display_name


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Launch.mp4", "Launch.mp4"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\clip.mov", "clip.mov"),
        ("clip\u202e4pm.exe", "clip4pm.exe"),
        ("a\u2066b\u2069c.mp4", "abc.mp4"),
        ("zero\u200b\u200c\u200d\ufeffwidth.mp4", "zerowidth.mp4"),
        ("line\nbreak\tand\x00nul.mp4", "line break and nul.mp4"),
        ("  spaced   out  .mp4", "spaced out .mp4"),
        ("...", FALLBACK),
        ("", FALLBACK),
        (None, FALLBACK),
        ("é" + "\u0301", "é\u0301"),
    ],
)
def test_examples(raw: str | None, clean: str) -> None:
    assert clean_display_name(raw) == clean


def test_long_names_keep_their_extension() -> None:
    name = clean_display_name("x" * 500 + ".mp4")
    assert len(name) == MAX_LENGTH and name.endswith("….mp4")


@given(st.text())
def test_never_a_path_never_invisible(raw: str) -> None:
    name = clean_display_name(raw)
    assert name and len(name) <= MAX_LENGTH
    assert "/" not in name and "\\" not in name and "\x00" not in name
    assert name not in (".", "..")
    assert not any(
        c in name for c in "\u202a\u202b\u202c\u202d\u202e\u200b\u2066\u2067\u2068\u2069"
    )
    assert all(c.isprintable() or c == " " for c in name)
