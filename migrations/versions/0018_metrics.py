"""metrics: daily snapshots of accounts and videos, the videos they follow, the last round

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 08:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import studio.db

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHEN = studio.db.UTCDateTime(timezone=True)


def _count(name: str) -> sa.Column:
    return sa.Column(name, sa.BigInteger(), nullable=True)


def upgrade() -> None:
    op.create_table(
        "metric_videos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=True),
        sa.Column("remote_id", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=True),
        sa.Column("published_at", WHEN, nullable=True),
        sa.Column("first_seen_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_metric_videos_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["deliveries.id"],
            name=op.f("fk_metric_videos_delivery_id_deliveries"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_metric_videos")),
        sa.UniqueConstraint(
            "account_id", "remote_id", name=op.f("uq_metric_videos_account_id_remote_id")
        ),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_metric_videos_delivery_id"), "metric_videos", ["delivery_id"])
    op.create_table(
        "account_snapshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        *(_count(n) for n in ("followers", "following", "likes", "videos")),
        sa.Column("taken_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_account_snapshots_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_snapshots")),
        sa.UniqueConstraint("account_id", "day", name=op.f("uq_account_snapshots_account_id_day")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "video_snapshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("video_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        *(_count(n) for n in ("views", "likes", "comments", "shares", "saves", "reach")),
        sa.Column("taken_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["video_id"],
            ["metric_videos.id"],
            name=op.f("fk_video_snapshots_video_id_metric_videos"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_video_snapshots")),
        sa.UniqueConstraint("video_id", "day", name=op.f("uq_video_snapshots_video_id_day")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_video_snapshots_day"), "video_snapshots", ["day"])
    op.create_table(
        "metric_rounds",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("ran_at", WHEN, nullable=False),
        sa.Column("calls", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_metric_rounds_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_metric_rounds")),
    )


def downgrade() -> None:
    op.drop_table("metric_rounds")
    op.drop_index(op.f("ix_video_snapshots_day"), table_name="video_snapshots")
    op.drop_table("video_snapshots")
    op.drop_table("account_snapshots")
    op.drop_index(op.f("ix_metric_videos_delivery_id"), table_name="metric_videos")
    op.drop_table("metric_videos")
