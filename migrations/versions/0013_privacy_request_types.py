"""privacy: data requests of their own type (erasure, copy, correction)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 02:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import studio.db

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("deletion_requests", table_kwargs=studio.db.NEVER_REUSE_IDS) as batch:
        batch.add_column(
            sa.Column(
                "request_type", sa.String(length=16), nullable=False, server_default="erasure"
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("deletion_requests", table_kwargs=studio.db.NEVER_REUSE_IDS) as batch:
        batch.drop_column("request_type")
