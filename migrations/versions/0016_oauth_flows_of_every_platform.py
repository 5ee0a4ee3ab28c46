"""platforms: OAuth flows name their platform (oauth_flows.platform; existing rows are TikTok's)

Native ALTER TABLE on both databases (SQLite ≥ 3.35 drops a plain column in place): the table
is never rebuilt, so its never-reused ids keep their counter.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 05:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "oauth_flows",
        sa.Column("platform", sa.String(length=16), nullable=False, server_default="tiktok"),
    )


def downgrade() -> None:
    op.execute("ALTER TABLE oauth_flows DROP COLUMN platform")
