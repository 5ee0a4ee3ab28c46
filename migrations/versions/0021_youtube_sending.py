"""deliveries.remote_url (the public link) and platform_quota_days (daily quotas per project)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 07:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("deliveries", sa.Column("remote_url", sa.String(length=2048), nullable=True))
    op.create_table(
        "platform_quota_days",
        sa.Column("project", sa.String(length=200), nullable=False),
        sa.Column("bucket", sa.String(length=32), nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("used", sa.Integer(), nullable=False),
        sa.Column("exhausted", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("project", "bucket", "day", name=op.f("pk_platform_quota_days")),
    )


def downgrade() -> None:
    op.drop_table("platform_quota_days")
    op.drop_column("deliveries", "remote_url")  # native on both databases: no table copy
