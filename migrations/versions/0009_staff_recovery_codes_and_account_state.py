"""auth: recovery codes, pending TOTP seed server-side, forced password change, deleted staff

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 01:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import studio.db

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table(
        "users", schema=None, table_kwargs=studio.db.NEVER_REUSE_IDS
    ) as batch_op:
        batch_op.add_column(
            sa.Column(
                "must_change_password", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
        batch_op.add_column(
            sa.Column("deleted_at", studio.db.UTCDateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table(
        "login_sessions", schema=None, table_kwargs=studio.db.NEVER_REUSE_IDS
    ) as batch_op:
        batch_op.add_column(sa.Column("pending_totp", sa.String(length=512), nullable=True))
    op.create_table(
        "recovery_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", studio.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", studio.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_recovery_codes_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_codes")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_recovery_codes_code_hash")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("recovery_codes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recovery_codes_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("recovery_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recovery_codes_user_id"))
    op.drop_table("recovery_codes")
    with op.batch_alter_table(
        "login_sessions", schema=None, table_kwargs=studio.db.NEVER_REUSE_IDS
    ) as batch_op:
        batch_op.drop_column("pending_totp")
    with op.batch_alter_table(
        "users", schema=None, table_kwargs=studio.db.NEVER_REUSE_IDS
    ) as batch_op:
        batch_op.drop_column("deleted_at")
        batch_op.drop_column("must_change_password")
