"""metrics: the per-day totals read from an index alone (day, views, likes, comments, shares)

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 09:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FIGURES = ["day", "views", "likes", "comments", "shares"]


def upgrade() -> None:
    # Replaces the plain (day) index: same leading column, and it holds the summed figures.
    op.create_index("ix_video_snapshots_day_figures", "video_snapshots", FIGURES)
    op.drop_index(op.f("ix_video_snapshots_day"), table_name="video_snapshots")


def downgrade() -> None:
    op.create_index(op.f("ix_video_snapshots_day"), "video_snapshots", ["day"])
    op.drop_index("ix_video_snapshots_day_figures", table_name="video_snapshots")
