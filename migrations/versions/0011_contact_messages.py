"""contact_messages: privacy questions from the public contact form

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 01:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import studio.db

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "contact_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("received_at", studio.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", studio.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_messages")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("contact_messages", schema=None) as batch_op:
        batch_op.create_index("ix_contact_messages_received_at", ["received_at"], unique=False)


def downgrade() -> None:
    op.drop_table("contact_messages")
