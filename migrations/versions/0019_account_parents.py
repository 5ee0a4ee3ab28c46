"""platforms: an account can come through another's connection (accounts.parent_id: a Facebook
Page or Instagram account → the Meta login of the person who chose it)

Native ALTER TABLE on both databases: the table is never rebuilt, so its never-reused ids keep
their counter. On SQLite the column carries no REFERENCES clause (SQLite cannot drop a column
used in a foreign key, so the downgrade could not remove it in place): the Meta erasure deletes
an account's children before the account, which is all the clause would add.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 07:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("accounts", sa.Column("parent_id", sa.Integer(), nullable=True))
    if op.get_bind().dialect.name != "sqlite":
        op.create_foreign_key(
            "fk_accounts_parent_id_accounts",
            "accounts",
            "accounts",
            ["parent_id"],
            ["id"],
            ondelete="SET NULL",
        )
    op.create_index("ix_accounts_parent_id", "accounts", ["parent_id"])


def downgrade() -> None:
    op.drop_index("ix_accounts_parent_id", table_name="accounts")
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint("fk_accounts_parent_id_accounts", "accounts", type_="foreignkey")
    op.execute("ALTER TABLE accounts DROP COLUMN parent_id")
