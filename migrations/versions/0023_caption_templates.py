"""posts: saved caption and hashtag templates, shared by staff

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 10:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import studio.db

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHEN = studio.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "caption_templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("name_key", sa.String(length=255), nullable=False),
        sa.Column("caption", sa.Text(), nullable=False),
        sa.Column("hashtags", sa.JSON(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_caption_templates_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_caption_templates")),
        sa.UniqueConstraint("name_key", name=op.f("uq_caption_templates_name_key")),
        sqlite_autoincrement=True,
    )
    op.create_index(
        op.f("ix_caption_templates_created_by_id"), "caption_templates", ["created_by_id"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_caption_templates_created_by_id"), table_name="caption_templates")
    op.drop_table("caption_templates")
