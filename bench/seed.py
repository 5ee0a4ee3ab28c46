"""Bulk seeding of a Studio database on PostgreSQL (COPY): old videos, posts and audit entries.

The audit entries continue the live chain from its head, hashed exactly as ``record()`` would
(``store.build_row``), under the appenders' advisory lock: ``flask --app studio audit verify``
still passes afterwards, and entries the app appends later link onto them.
"""

from __future__ import annotations

import datetime as dt
import secrets
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402

from studio.audit.actions import Action  # noqa: E402
from studio.audit.chain import GENESIS  # noqa: E402
from studio.audit.store import PG_LOCK_KEY, Spec, build_row, encode_payload  # noqa: E402
from studio.db import utcnow  # noqa: E402

VIDEO_COLUMNS = (
    "content_hash, display_name, storage_name, size_bytes, container, video_codec, duration_s, "
    "width, height, fps, has_audio, uploaded_by_id, created_at, file_deleted_at"
)
POST_COLUMNS = (
    "idempotency_key, video_id, created_by_id, caption, hashtags, product_name, product_sku, "
    "is_aigc, consent_text, created_at, updated_at"
)
DELIVERY_COLUMNS = (
    "post_id, account_id, platform, mode, source, status, attempts, restarts, polls, remote_id, "
    "video_size, chunk_size, total_chunks, next_chunk, bytes_sent, remote_status, "
    "remote_post_ids, retryable, created_at, updated_at, sent_at, finished_at"
)
OUTCOMES = (  # (status, TikTok status) in proportion: most drafts wait in inboxes
    *[("in_inbox", "SEND_TO_USER_INBOX")] * 6,
    *[("published", "PUBLISH_COMPLETE")] * 3,
    ("failed", "FAILED"),
)
REQUEST_PAYLOAD = encode_payload(
    {
        "request": {"method": "POST", "url": "/v2/post/publish/status/fetch/", "body": {}},
        "response": {"status": 200, "body": {"data": {"status": "SEND_TO_USER_INBOX"}}},
    }
)


def _copy(engine: Engine, table: str, columns: str, rows: Any) -> None:
    raw = engine.raw_connection()
    try:
        with raw.cursor() as cur, cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        raw.commit()
    finally:
        raw.close()


def seed_videos(engine: Engine, n: int, user_id: int) -> list[int]:
    """``n`` old videos whose files retention already removed; returns their ids."""
    start = utcnow() - dt.timedelta(days=400)
    rows = (
        (
            "blake3:" + secrets.token_hex(32),
            f"product-{i}.mp4",
            secrets.token_hex(16),
            5_500,
            "mp4",
            "h264",
            3.0,
            540,
            960,
            30.0,
            False,
            user_id,
            start + dt.timedelta(minutes=i),
            start,
        )
        for i in range(n)
    )
    _copy(engine, "videos", VIDEO_COLUMNS, rows)
    with engine.connect() as conn:
        ids = conn.execute(text("SELECT id FROM videos WHERE file_deleted_at IS NOT NULL"))
        return [row.id for row in ids]


def seed_posts(engine: Engine, n: int, video_ids: list[int], account_id: int, user_id: int) -> None:
    """``n`` finished drafts spread over the past year, oldest first (ids follow time), each
    with its one delivery to ``account_id``."""
    now = utcnow()
    step = dt.timedelta(days=365) / max(n, 1)
    batch = secrets.token_hex(4)
    times = [now - dt.timedelta(days=366) + step * i for i in range(n)]
    posts = (
        (
            f"seed-{batch}-{i}",
            video_ids[i % len(video_ids)],
            user_id,
            f"Product {i}",
            "[]",
            "",
            "",
            False,
            "consented",
            at,
            at,
        )
        for i, at in enumerate(times)
    )
    _copy(engine, "posts", POST_COLUMNS, posts)
    with engine.connect() as conn:
        found = conn.execute(
            text("SELECT id, idempotency_key FROM posts WHERE idempotency_key LIKE :p"),
            {"p": f"seed-{batch}-%"},
        )
        ids = {int(key.rsplit("-", 1)[1]): post_id for post_id, key in found}

    def deliveries() -> Any:
        for i, at in enumerate(times):
            status, tiktok = OUTCOMES[i % len(OUTCOMES)]
            yield (
                ids[i],
                account_id,
                "tiktok",
                "draft",
                "FILE_UPLOAD",
                status,
                1,
                0,
                3,
                f"v_inbox_file~seed.{i}",
                5_500,
                5_500,
                1,
                1,
                5_500,
                tiktok,
                "[]",
                False,
                at,
                at,
                at,
                at + dt.timedelta(minutes=2),
            )

    _copy(engine, "deliveries", DELIVERY_COLUMNS, deliveries())


def _specs(account_id: int, user_id: int) -> list[Spec]:
    job = {"actor_kind": "job", "actor_id": "send_delivery", "actor_label": None, "job_id": None}
    return [
        *[
            Spec(
                kind=Action.TIKTOK_REQUEST.value,
                status="ok",
                account_id=account_id,
                post_id=None,
                summary="POST /v2/post/publish/status/fetch/ → 200",
                method="POST",
                endpoint="/v2/post/publish/status/fetch/",
                http_status=200,
                duration_ms=40.0,
                payload=REQUEST_PAYLOAD,
                **job,
            )
        ]
        * 4,
        Spec(
            kind=Action.AUTH_LOGIN.value,
            status="ok",
            actor_kind="user",
            actor_id=str(user_id),
            actor_label=None,
            account_id=None,
            post_id=None,
            job_id=None,
            summary="signed in",
        ),
    ]


def seed_audit(engine: Engine, n: int, account_id: int, user_id: int, batch: int = 50_000) -> None:
    """``n`` entries appended to the chain (TikTok exchanges by jobs, some sign-ins)."""
    specs = _specs(account_id, user_id)
    with engine.begin() as conn:  # keep the appenders out until the seed is in
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": PG_LOCK_KEY})
        head = conn.execute(text("SELECT seq, hash FROM audit_entries ORDER BY seq DESC LIMIT 1"))
        row = head.first()
        seq, prev = (row.seq, row.hash) if row else (0, GENESIS)
        raw = conn.connection.dbapi_connection
        assert raw is not None
        at, done = utcnow(), 0
        while done < n:
            rows = []
            for _ in range(min(batch, n - done)):
                seq += 1
                entry = build_row(seq, at, prev, specs[seq % len(specs)])
                prev = entry["hash"]
                rows.append(entry)
            columns = ", ".join(rows[0])
            with (
                raw.cursor() as cur,
                cur.copy(f"COPY audit_entries ({columns}) FROM STDIN") as copy,
            ):
                for entry in rows:
                    copy.write_row(tuple(entry.values()))
            done += len(rows)


def seed(
    url: str, *, posts: int, audit: int, account_id: int, user_id: int, videos: int = 1_000
) -> None:
    """Seed the database at ``url``, then vacuum, analyze and checkpoint it."""
    engine = create_engine(url)
    try:
        video_ids = seed_videos(engine, videos, user_id) if posts else []
        if posts:
            seed_posts(engine, posts, video_ids, account_id, user_id)
        if audit:
            seed_audit(engine, audit, account_id, user_id)
        # Settle what the bulk load left behind (visibility map, statistics, dirty pages), as a
        # live database would have long before: the run then measures the pages, not the seed.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM (ANALYZE)"))
            conn.execute(text("CHECKPOINT"))
    finally:
        engine.dispose()
