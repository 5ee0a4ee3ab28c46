"""Streamed exports of entries as JSON Lines or CSV (generators: constant memory)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

COLUMNS = (
    "seq",
    "at",
    "kind",
    "status",
    "actor_kind",
    "actor_id",
    "actor_label",
    "account_id",
    "post_id",
    "job_id",
    "summary",
    "method",
    "endpoint",
    "http_status",
    "duration_ms",
    "platform",
    "platform_code",
    "log_id",
    "error",
    "payload",
    "payload_digest",
    "prev_hash",
    "hash",
    "erased_at",
)
FORMATS = {"jsonl": "application/x-ndjson", "csv": "text/csv"}


def as_dict(row: Any) -> dict[str, Any]:
    """One exported entry: payload parsed, times in ISO 8601."""
    out: dict[str, Any] = {}
    for name in COLUMNS:
        value = getattr(row, name)
        if name == "payload" and value is not None:
            value = json.loads(value)
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        out[name] = value
    return out


def jsonl(rows: Iterable[Any]) -> Iterator[str]:
    """One JSON object per line."""
    for row in rows:
        yield json.dumps(as_dict(row), ensure_ascii=False) + "\n"


def csv_lines(rows: Iterable[Any]) -> Iterator[str]:
    """A header, then one line per entry; the payload is a JSON cell."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for row in rows:
        entry = as_dict(row)
        if entry["payload"] is not None:
            entry["payload"] = json.dumps(entry["payload"], ensure_ascii=False)
        writer.writerow([_cell(entry[name]) for name in COLUMNS])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


def _cell(value: Any) -> Any:
    # Spreadsheets run cells that start with these as formulas (CSV injection).
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value
