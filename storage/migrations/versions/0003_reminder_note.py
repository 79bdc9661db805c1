"""Reminder notes: why a reminder ended as it did (a missed one's reason).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("reminder", schema=None) as batch_op:
        batch_op.add_column(sa.Column("note", sqlmodel.sql.sqltypes.AutoString(), nullable=True))


def downgrade() -> None:
    # A missed reminder becomes what 0002's code would have made of it: skipped.
    op.execute("UPDATE reminder SET status = 'skipped' WHERE status = 'missed'")
    with op.batch_alter_table("reminder", schema=None) as batch_op:
        batch_op.drop_column("note")
