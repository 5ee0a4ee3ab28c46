"""Display names from the client: shown to people, never used as paths."""

from __future__ import annotations

import re
import unicodedata

FALLBACK = "video.mp4"
MAX_LENGTH = 120
# Bidi embeddings, overrides and isolates, and zero-width characters: they make "gpj.exe" look
# like "exe.jpg" or hide text, and belong in no file name.
_INVISIBLE = re.compile(
    "[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u180e\u061c\u00ad]"
)


def clean_display_name(raw: str | None) -> str:
    """A safe, readable name: last path part only, no control or invisible characters."""
    text = unicodedata.normalize("NFC", str(raw or ""))
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    text = _INVISIBLE.sub("", text)
    text = "".join(" " if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c for c in text)
    text = "".join(c for c in text if unicodedata.category(c) not in ("Cf", "Cs", "Co", "Cn"))
    text = " ".join(text.split()).strip(" .")
    if len(text) > MAX_LENGTH:
        stem, dot, ext = text.rpartition(".")
        keep = MAX_LENGTH - len(ext) - 2 if dot and len(ext) <= 8 else MAX_LENGTH - 1
        text = f"{stem[:keep].rstrip()}…{dot}{ext}" if dot and len(ext) <= 8 else text[:keep] + "…"
    return text or FALLBACK
