"""privacy: single-use e-mail links and server-side browser holds on deletion requests

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 01:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import studio.db

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "deletion_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", studio.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", studio.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", studio.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deletion_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_deletion_links_token_hash")),
        sqlite_autoincrement=True,
    )
    op.create_index(
        op.f("ix_deletion_links_request_id"), "deletion_links", ["request_id"], unique=False
    )
    op.create_table(
        "deletion_browsers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("handle_hash", sa.String(length=64), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("code_enc", sa.Text(), nullable=True),
        sa.Column("verified_until", studio.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", studio.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", studio.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deletion_browsers")),
        sqlite_autoincrement=True,
    )
    op.create_index(
        op.f("ix_deletion_browsers_handle_hash"), "deletion_browsers", ["handle_hash"], unique=False
    )
    op.create_index(
        op.f("ix_deletion_browsers_request_id"), "deletion_browsers", ["request_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_deletion_browsers_request_id"), table_name="deletion_browsers")
    op.drop_index(op.f("ix_deletion_browsers_handle_hash"), table_name="deletion_browsers")
    op.drop_table("deletion_browsers")
    op.drop_index(op.f("ix_deletion_links_request_id"), table_name="deletion_links")
    op.drop_table("deletion_links")
