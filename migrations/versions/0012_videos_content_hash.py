"""videos: sha256 becomes content_hash, "<algorithm>:<hex>" (BLAKE3 for new uploads)

Existing rows keep their SHA-256, now spelled "sha256:<hex>"; uploads from now on are hashed
with BLAKE3 ("blake3:<hex>"), and duplicate detection compares with both (videos/digest.py).
Downgrade strips the prefix: SHA-256 rows are as before; BLAKE3 rows keep a 64-digit hash that
the old code cannot reproduce, so it would store such a video again rather than see a duplicate.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 01:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import studio.db

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("videos", table_kwargs=studio.db.NEVER_REUSE_IDS) as batch_op:
        batch_op.drop_constraint("uq_videos_sha256", type_="unique")
        batch_op.alter_column(
            "sha256",
            new_column_name="content_hash",
            existing_type=sa.String(length=64),
            type_=sa.String(length=80),
            existing_nullable=False,
        )
    op.execute("UPDATE videos SET content_hash = 'sha256:' || content_hash")
    with op.batch_alter_table("videos", table_kwargs=studio.db.NEVER_REUSE_IDS) as batch_op:
        batch_op.create_unique_constraint(op.f("uq_videos_content_hash"), ["content_hash"])


def downgrade() -> None:
    with op.batch_alter_table("videos", table_kwargs=studio.db.NEVER_REUSE_IDS) as batch_op:
        batch_op.drop_constraint("uq_videos_content_hash", type_="unique")
    op.execute("UPDATE videos SET content_hash = substr(content_hash, 8)")
    with op.batch_alter_table("videos", table_kwargs=studio.db.NEVER_REUSE_IDS) as batch_op:
        batch_op.alter_column(
            "content_hash",
            new_column_name="sha256",
            existing_type=sa.String(length=80),
            type_=sa.String(length=64),
            existing_nullable=False,
        )
    with op.batch_alter_table("videos", table_kwargs=studio.db.NEVER_REUSE_IDS) as batch_op:
        batch_op.create_unique_constraint(op.f("uq_videos_sha256"), ["sha256"])
