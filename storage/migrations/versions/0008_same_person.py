"""One person on several platforms: linked contacts, the one that reaches them, linking invites.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-10
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("contact", sa.Column("person_id", sa.Integer(), nullable=True))
    op.add_column(
        "contact", sa.Column("reaches", sa.Boolean(), nullable=False, server_default=sa.true())
    )
    op.create_index(op.f("ix_contact_person_id"), "contact", ["person_id"])
    op.add_column("invite", sa.Column("same_as_contact_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    # Linked accounts become separate contacts again: each is reminded on its own.
    with op.batch_alter_table("invite") as batch:
        batch.drop_column("same_as_contact_id")
    op.drop_index(op.f("ix_contact_person_id"), table_name="contact")
    with op.batch_alter_table("contact") as batch:
        batch.drop_column("reaches")
        batch.drop_column("person_id")
