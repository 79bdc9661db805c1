"""Several instances on one database: the shared file store's marker, shared rate budgets.

Revision ID: 0009
Revises: 0008
Create Date: 2027-01-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TEXT = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "store_marker",
        sa.Column("name", _TEXT(), nullable=False),
        sa.Column("marker", _TEXT(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_store_marker")),
    )
    op.create_table(
        "rate_limit",
        sa.Column("name", _TEXT(), nullable=False),
        sa.Column("next_at", sa.Float(), nullable=False),
        sa.Column("recent", _TEXT(), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_rate_limit")),
    )


def downgrade() -> None:
    # The marker is written again at the next start (from the store's file); budgets are
    # only about the next second.
    op.drop_table("rate_limit")
    op.drop_table("store_marker")
