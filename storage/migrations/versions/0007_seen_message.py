"""Incoming messages already taken in, for a platform that may deliver one twice.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-10
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TEXT = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "seen_message",
        sa.Column("platform", _TEXT(), nullable=False),
        sa.Column("message_id", _TEXT(), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("platform", "message_id", name=op.f("pk_seen_message")),
    )
    op.create_index(op.f("ix_seen_message_seen_at"), "seen_message", ["seen_at"])


def downgrade() -> None:
    # What was seen is forgotten: a message redelivered right after a downgrade and upgrade
    # would be taken in again, as before the table existed.
    op.drop_index(op.f("ix_seen_message_seen_at"), table_name="seen_message")
    op.drop_table("seen_message")
