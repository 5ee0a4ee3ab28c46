"""privacy: post_erasures, the ids of posts erased by deletion requests (no content)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 01:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import studio.db

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "post_erasures",
        sa.Column("post_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("erased_at", studio.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("post_id", name=op.f("pk_post_erasures")),
    )
    with op.batch_alter_table("post_erasures", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_post_erasures_request_id"), ["request_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("post_erasures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_post_erasures_request_id"))
    op.drop_table("post_erasures")
